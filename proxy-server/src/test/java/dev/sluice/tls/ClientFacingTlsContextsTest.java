package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCertificate;
import dev.sluice.certs.LeafMinter;
import dev.sluice.certs.SubjectAltName;
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
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared client-facing contexts make a client that offers several protocols end up with exactly the one
 * chosen, and serve every handshake its own bump's leaf, which is lent only while that handshake runs.
 */
class ClientFacingTlsContextsTest {
    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static LeafMinter minter;
    static LeafCertificate leaf;

    @BeforeAll
    static void mint() throws Exception {
        ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        minter = new LeafMinter(ca, Duration.ofDays(7));
        leaf = mint("api.example.com");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(nullValues = "none", value = {
            "JDK, h2", "JDK, http/1.1", "JDK, grpc-exp", "JDK, none",
            "OPENSSL, h2", "OPENSSL, http/1.1", "OPENSSL, grpc-exp", "OPENSSL, none"})
    void theClientGetsExactlyTheProtocolTheOriginChose(SslProvider provider, String chosen) throws Exception {
        ClientFacingTlsContexts contexts = contexts(provider);
        EmbeddedTlsPair handshake = handshake("api.example.com", contexts.newHandler(ByteBufAllocator.DEFAULT, chosen,
                leaf));
        try {
            handshake.run();

            assertThat(handshake.client.handshakeFuture().isSuccess()).as("handshake done").isTrue();
            assertThat(handshake.client.applicationProtocol()).isEqualTo(chosen);
            assertThat(Arrays.asList(handshake.client.engine().getSession().getPeerCertificates()))
                    .containsExactly(leaf.certificate(), ca.certificate());
            assertThat(contexts.handshakesInFlight()).as("leaves still lent").isZero();
        } finally {
            handshake.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void interleavedHandshakesOfTwoBumpsEachGetTheirOwnLeaf(SslProvider provider) throws Exception {
        ClientFacingTlsContexts contexts = contexts(provider);
        LeafCertificate alpha = mint("alpha.example");
        LeafCertificate beta = mint("beta.example");
        EmbeddedTlsPair toAlpha = handshake("alpha.example", contexts.newHandler(ByteBufAllocator.DEFAULT, "h2", alpha));
        EmbeddedTlsPair toBeta = handshake("beta.example", contexts.newHandler(ByteBufAllocator.DEFAULT, "h2", beta));
        try {
            toAlpha.step();
            toBeta.step();
            assertThat(contexts.handshakesInFlight()).as("both servers chose a leaf, neither is done").isEqualTo(2);
            toAlpha.run();
            toBeta.run();

            assertThat(toAlpha.client.engine().getSession().getPeerCertificates()[0]).isEqualTo(alpha.certificate());
            assertThat(toBeta.client.engine().getSession().getPeerCertificates()[0]).isEqualTo(beta.certificate());
            assertThat(contexts.handshakesInFlight()).isZero();
        } finally {
            toAlpha.close();
            toBeta.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void aHandshakeThatNeverEndsGivesItsLeafBackWhenItsChannelCloses(SslProvider provider) throws Exception {
        ClientFacingTlsContexts contexts = contexts(provider);
        EmbeddedChannel server = new EmbeddedChannel(contexts.newHandler(ByteBufAllocator.DEFAULT, "h2", leaf));
        assertThat(contexts.handshakesInFlight()).isEqualTo(1);

        server.close();

        assertThat(contexts.handshakesInFlight()).isZero();
        server.finishAndReleaseAll();
    }

    private static LeafCertificate mint(String host) {
        return minter.mint(host, List.of(SubjectAltName.forHost(host)), Instant.now().plus(Duration.ofDays(30)));
    }

    private static ClientFacingTlsContexts contexts(SslProvider provider) {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
        return new ClientFacingTlsContexts(provider, ca.certificate());
    }

    /** A client trusting only Sluice's CA and offering several protocols, wired to one server handler. */
    private static EmbeddedTlsPair handshake(String host, SslHandler server) throws Exception {
        SslContext context = SslContextBuilder.forClient().trustManager(ca.certificate())
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
                        "grpc-exp", "h2", "http/1.1"))
                .build();
        return new EmbeddedTlsPair(context.newHandler(ByteBufAllocator.DEFAULT, host, 443), server);
    }
}
