package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An origin whose certificate Sluice cannot verify is never masked: no leaf is minted, the client's handshake
 * fails with Sluice's alert, and the metric and access log say why. Only a rule with {@code verifyUpstream: false}
 * lets such an origin through, and only for the hosts it matches.
 */
class BumpRefusalTest {
    private static SluiceFixture sluice;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().tls().yaml("""
                rules:
                  - name: trust-anything-at-origin
                    match: {host: origin.test}
                    action: bump
                    verifyUpstream: false
                default: bump
                """).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @Test
    void aSelfSignedOriginIsRefusedWithUnknownCa() throws Exception {
        HeldCertificate selfSigned = originCertificate().build();
        try (MockWebServer origin = origin(selfSigned)) {
            assertRefused(origin, "upstream_untrusted", "unknown_ca");
        }
    }

    @Test
    void anExpiredOriginIsRefusedWithBadCertificate() throws Exception {
        Instant past = Instant.now().minus(Duration.ofDays(30));
        HeldCertificate expired = originCertificate().signedBy(TestPki.get().ca())
                .validityInterval(past.toEpochMilli(), past.plus(Duration.ofDays(1)).toEpochMilli()).build();
        try (MockWebServer origin = origin(expired)) {
            assertRefused(origin, "upstream_expired", "bad_certificate");
        }
    }

    @Test
    void anOriginCertificateForAnotherHostIsRefusedWithBadCertificate() throws Exception {
        HeldCertificate elsewhere = new HeldCertificate.Builder().commonName("elsewhere.test")
                .addSubjectAlternativeName("elsewhere.test").signedBy(TestPki.get().ca()).build();
        try (MockWebServer origin = origin(elsewhere)) {
            assertRefused(origin, "upstream_hostname", "bad_certificate");
        }
    }

    @Test
    void verifyUpstreamFalseLetsTheSelfSignedOriginThroughOnlyForItsRule() throws Exception {
        HeldCertificate selfSigned = originCertificate().build();
        try (MockWebServer origin = origin(selfSigned)) {
            origin.enqueue(new MockResponse.Builder().body("insecure but allowed").build());

            try (Response response = sluice.okHttp().newCall(new Request.Builder()
                    .url(url("https", origin, "/allowed")).build()).execute()) {
                assertThat(response.body().string()).isEqualTo("insecure but allowed");
                assertThat(response.handshake().peerPrincipal().getName()).contains("origin.test");
            }

            // The same origin under a name no verifyUpstream: false rule matches is verified, and refused.
            String viaLocalhost = "https://localhost:" + origin.getPort() + "/refused";
            assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder().url(viaLocalhost).build())
                    .execute().close()).isInstanceOf(SSLException.class);
            sluice.awaitAccessLog(line -> ("localhost:" + origin.getPort()).equals(line.text("target"))
                    && "upstream_untrusted".equals(line.text("error")));
        }
    }

    /** Names every way a test reaches the origin, so only the issuer or the dates can be wrong. */
    private static HeldCertificate.Builder originCertificate() {
        return new HeldCertificate.Builder().commonName(TestPki.ORIGIN_HOST)
                .addSubjectAlternativeName(TestPki.ORIGIN_HOST)
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1");
    }

    private static MockWebServer origin(HeldCertificate certificate) {
        return TestOrigins.https(new HandshakeCertificates.Builder().heldCertificate(certificate).build(),
                Protocol.HTTP_2, Protocol.HTTP_1_1);
    }

    /** Through a host the lax rule does not match ({@code localhost}), so verification applies. */
    private static void assertRefused(MockWebServer origin, String reason, String alert) {
        double before = sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
        String target = "localhost:" + origin.getPort();

        assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder().url("https://" + target + "/").build())
                .execute().close())
                .isInstanceOf(SSLException.class)
                .hasMessageContaining(alert);

        assertThat(origin.getRequestCount()).isZero();
        sluice.awaitMetric(before + 1, "sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
        AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")) && reason.equals(l.text("error")));
        assertThat(line.text("action")).isEqualTo("bump");
        assertThat(line.text("method")).isEqualTo("CONNECT");
    }
}
