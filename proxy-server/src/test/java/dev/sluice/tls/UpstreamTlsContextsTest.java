package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ClientHello Sluice sends an origin mirrors the client's: its SNI, and exactly its ALPN list. */
class UpstreamTlsContextsTest {
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void offersExactlyTheClientsAlpnListInItsOrderWithItsSni(SslProvider provider) throws Exception {
        ClientHello sent = firstFlight(provider, "api.example.com", List.of("grpc-exp", "h2", "http/1.1"));

        assertThat(sent.serverName()).isEqualTo("api.example.com");
        assertThat(sent.alpnProtocols()).containsExactly("grpc-exp", "h2", "http/1.1");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void aClientWithoutAlpnMeansNoAlpnExtensionUpstream(SslProvider provider) throws Exception {
        assertThat(firstFlight(provider, "api.example.com", List.of()).alpnProtocols()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void anIpLiteralHostIsNeverSentAsSni(SslProvider provider) throws Exception {
        assertThat(firstFlight(provider, "192.0.2.7", List.of("h2")).serverName()).isNull();
    }

    private static ClientHello firstFlight(SslProvider provider, String host, List<String> alpn) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(provider, trust);
        EmbeddedChannel channel = new EmbeddedChannel(
                contexts.newHandler(ByteBufAllocator.DEFAULT, host, 443, alpn, true));
        try {
            ByteBuf hello = channel.readOutbound();
            try {
                ClientHelloResult result = new ClientHelloParser().parse(hello);
                assertThat(result.kind()).isEqualTo(ClientHelloResult.Kind.PARSED);
                return result.clientHello();
            } finally {
                hello.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
