package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Rules matching the ClientHello's SNI decide after it is read: a splice replays it, a deny answers an alert. A
 * server name that is not the CONNECT host is refused, so rules can never see one host while the tunnel reaches
 * another.
 */
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

    @Test
    void aServerNameOtherThanTheConnectHostIsRefusedWithAnAlert() throws Exception {
        try (SluiceFixture sluice = bumpingAllBut("pass-origin", "splice");
             SocketOrigin origin = new SocketOrigin(SocketOrigin::echo);
             Socket socket = new Socket(sluice.proxyAddress().getAddress(), sluice.proxyAddress().getPort())) {
            String target = TestOrigins.authority(origin.port());
            socket.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200");
            SSLSocket tls = (SSLSocket) sluice.clientCertificates().sslSocketFactory()
                    .createSocket(socket, "allowed.test", origin.port(), false);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("allowed.test")));
            tls.setSSLParameters(parameters);

            assertThatThrownBy(tls::startHandshake).isInstanceOf(SSLException.class).hasMessageContaining("access_denied");

            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.text("action")).isEqualTo("deny");
            assertThat(line.text("rule")).isEqualTo("access.sni");
            assertThat(line.text("sni")).isEqualTo("allowed.test");
            assertThat(origin.accepted()).isZero();
        }
    }

    /** The response head, read a byte at a time so that nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
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
