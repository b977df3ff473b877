package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCertificate;
import dev.sluice.certs.LeafMinter;
import dev.sluice.certs.SubjectAltName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A leaf's server contexts make a client that offers several protocols end up with exactly the one chosen. */
class LeafContextsTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static LeafCertificate leaf;

    @BeforeAll
    static void mint() throws Exception {
        ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        leaf = new LeafMinter(ca, Duration.ofDays(7)).mint("api.example.com",
                List.of(SubjectAltName.forHost("api.example.com")), Instant.now().plus(Duration.ofDays(30)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(nullValues = "none", value = {
            "JDK, h2", "JDK, http/1.1", "JDK, grpc-exp", "JDK, none",
            "OPENSSL, h2", "OPENSSL, http/1.1", "OPENSSL, grpc-exp", "OPENSSL, none"})
    void theClientGetsExactlyTheProtocolTheOriginChose(SslProvider provider, String chosen) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
        SslContext client = SslContextBuilder.forClient().trustManager(ca.certificate())
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
                        "grpc-exp", "h2", "http/1.1"))
                .build();
        SslHandler clientTls = client.newHandler(ByteBufAllocator.DEFAULT, "api.example.com", 443);
        SslHandler serverTls = new LeafContexts(leaf, provider).forProtocol(chosen)
                .newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel clientSide = new EmbeddedChannel(clientTls);
        EmbeddedChannel serverSide = new EmbeddedChannel(serverTls);
        try {
            for (int round = 0; round < 10 && !clientTls.handshakeFuture().isDone(); round++) {
                pump(clientSide, serverSide);
                pump(serverSide, clientSide);
            }

            assertThat(clientTls.handshakeFuture().isSuccess()).as("handshake done").isTrue();
            assertThat(clientTls.applicationProtocol()).isEqualTo(chosen);
            assertThat(Arrays.asList(clientTls.engine().getSession().getPeerCertificates()))
                    .containsExactly(leaf.certificate(), ca.certificate());
        } finally {
            clientSide.finishAndReleaseAll();
            serverSide.finishAndReleaseAll();
        }
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf out; (out = from.readOutbound()) != null; ) {
            to.writeInbound(out);
        }
    }
}
