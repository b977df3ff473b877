package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCertificate;
import dev.sluice.certs.LeafMinter;
import dev.sluice.certs.SubjectAltName;
import dev.sluice.testing.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A client refusing a minted leaf is told apart from other handshake failures by what each provider really reports
 * on Sluice's side: real clients that do not trust Sluice's CA, and each alert that counts written by hand.
 */
class LeafRefusalTest {
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

    @ParameterizedTest(name = "Sluice on {0}, client on {1}")
    @CsvSource({
            "JDK, JDK, CERTIFICATE_UNKNOWN", "OPENSSL, JDK, CERTIFICATE_UNKNOWN",
            "JDK, OPENSSL, BAD_CERTIFICATE", "OPENSSL, OPENSSL, BAD_CERTIFICATE"})
    void aClientThatTrustsOnlyItsOwnCaRefusesTheLeaf(SslProvider sluice, SslProvider client, LeafRefusal expected)
            throws Exception {
        assumeUsable(client);
        SslHandler trustsOthers = SslContextBuilder.forClient().sslProvider(client)
                .trustManager(TestPki.get().caCertificate()).build()
                .newHandler(ByteBufAllocator.DEFAULT, "api.example.com", 443);
        EmbeddedTlsPair handshake = new EmbeddedTlsPair(trustsOthers, sluiceServer(sluice));
        try {
            handshake.run();

            assertThat(handshake.server.handshakeFuture().isSuccess()).isFalse();
            assertThat(LeafRefusal.of(handshake.server.handshakeFuture().cause())).isEqualTo(expected);
        } finally {
            handshake.close();
        }
    }

    /** Alerts by number: 48 unknown_ca, 42 bad_certificate, 46 certificate_unknown, 80 internal_error. */
    @ParameterizedTest(name = "Sluice on {0}, alert {1}")
    @CsvSource({
            "JDK, 48, UNKNOWN_CA", "JDK, 42, BAD_CERTIFICATE", "JDK, 46, CERTIFICATE_UNKNOWN",
            "JDK, 80, INTERNAL_ERROR",
            "OPENSSL, 48, UNKNOWN_CA", "OPENSSL, 42, BAD_CERTIFICATE", "OPENSSL, 46, CERTIFICATE_UNKNOWN",
            "OPENSSL, 80, INTERNAL_ERROR"})
    void eachAlertThatCountsIsRecognisedAsEachProviderReportsIt(SslProvider sluice, int alert, LeafRefusal expected)
            throws Exception {
        assertThat(LeafRefusal.of(failureAfterAlert(sluice, alert))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "Sluice on {0}")
    @CsvSource({"JDK", "OPENSSL"})
    void anAlertThatIsNotAboutTheCertificateIsNoRefusal(SslProvider sluice) throws Exception {
        assertThat(LeafRefusal.of(failureAfterAlert(sluice, TlsAlert.HANDSHAKE_FAILURE))).isNull();
    }

    @Test
    void aCloseMidHandshakeIsOneATimeoutOrAnythingElseIsNot() {
        assertThat(LeafRefusal.of(new DecoderException(new ClosedChannelException())))
                .isEqualTo(LeafRefusal.CLOSED);
        assertThat(LeafRefusal.of(new SslHandshakeTimeoutException("handshake timed out after 10000ms"))).isNull();
        assertThat(LeafRefusal.of(new SSLHandshakeException("no cipher suites in common"))).isNull();
        assertThat(LeafRefusal.of(new SSLHandshakeException(null))).isNull();
    }

    /**
     * A TLS 1.2 client's ClientHello reaches Sluice's server; its answer is dropped and a plaintext fatal alert comes
     * back instead, as a client that refused the certificate would send it before its own ChangeCipherSpec.
     */
    private static Throwable failureAfterAlert(SslProvider sluice, int alert) throws Exception {
        SslHandler tls12 = SslContextBuilder.forClient().protocols("TLSv1.2").trustManager(ca.certificate()).build()
                .newHandler(ByteBufAllocator.DEFAULT, "api.example.com", 443);
        EmbeddedTlsPair handshake = new EmbeddedTlsPair(tls12, sluiceServer(sluice));
        try {
            handshake.toServer();
            handshake.dropServerFlight();

            handshake.serverSide.writeInbound(TlsAlert.fatal(ByteBufAllocator.DEFAULT, alert));

            assertThat(handshake.server.handshakeFuture().isDone()).as("the alert ended the handshake").isTrue();
            return handshake.server.handshakeFuture().cause();
        } finally {
            handshake.close();
        }
    }

    private static SslHandler sluiceServer(SslProvider provider) {
        assumeUsable(provider);
        return new ClientFacingTlsContexts(provider, ca.certificate()).newHandler(ByteBufAllocator.DEFAULT, null, leaf);
    }

    private static void assumeUsable(SslProvider provider) {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
    }
}
