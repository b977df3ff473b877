package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Rules matching the ClientHello's SNI decide after it is read: a splice replays it, a deny answers an alert. */
class SpliceBySniTest {
    @Test
    void aSpliceBySniRuleShowsTheClientTheOriginsRealCertificate() throws Exception {
        try (SluiceFixture sluice = bumpingAllBut("pass-origin", "splice");
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("spliced").build());
            OkHttpClient client = sluice.okHttp();

            try (Response response = client.newCall(new Request.Builder()
                    .url(url("https", origin, "/spliced")).build()).execute()) {
                assertThat(response.body().string()).isEqualTo("spliced");
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                X509Certificate seen = (X509Certificate) response.handshake().peerCertificates().get(0);
                assertThat(seen).isEqualTo(TestPki.get().server().certificate());
            }

            String target = TestOrigins.authority(origin.getPort());
            client.connectionPool().evictAll(); // the tunnel's line is written when it closes
            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.text("action")).isEqualTo("splice");
            assertThat(line.text("rule")).isEqualTo("pass-origin");
            assertThat(line.text("sni")).isEqualTo(TestPki.ORIGIN_HOST);
            sluice.awaitMetric(1, "sluice_decisions_total", "action", "splice", "rule", "pass-origin");
            assertThat(sluice.metrics().value("sluice_decisions_total", "action", "bump")).isZero();
        }
    }

    @Test
    void aDenyBySniRuleFailsTheHandshakeWithAnAlertAndNeverReachesTheOrigin() throws Exception {
        try (SluiceFixture sluice = bumpingAllBut("no-origin", "deny");
             SocketOrigin origin = new SocketOrigin(SocketOrigin::echo)) {
            String url = "https://" + TestOrigins.authority(origin.port()) + "/";

            assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder().url(url).build()).execute().close())
                    .isInstanceOf(SSLException.class)
                    .hasMessageContaining("access_denied");

            AccessLogLine line = sluice.awaitAccessLog(l -> TestOrigins.authority(origin.port()).equals(l.text("target")));
            assertThat(line.text("action")).isEqualTo("deny");
            assertThat(line.text("rule")).isEqualTo("no-origin");
            assertThat(line.text("sni")).isEqualTo(TestPki.ORIGIN_HOST);
            assertThat(origin.accepted()).isZero();
            sluice.awaitMetric(1, "sluice_decisions_total", "action", "deny", "rule", "no-origin");
        }
    }

    /** A Sluice that bumps by default, with one rule that gives SNI origin.test the {@code action}. */
    private static SluiceFixture bumpingAllBut(String rule, String action) {
        return SluiceFixture.builder().tls().yaml("""
                rules:
                  - name: %s
                    match: {sni: origin.test}
                    action: %s
                default: bump
                """.formatted(rule, action)).start();
    }
}
