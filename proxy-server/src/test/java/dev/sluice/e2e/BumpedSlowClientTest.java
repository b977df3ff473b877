package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.BumpedSocket;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inside a bump, an HTTP/1.1 client is held to the front door's clocks: a request head dripped past
 * {@code timeouts.requestHeader} gets 408 and the connection closes, counted and logged, and the origin never sees it.
 */
class BumpedSlowClientTest {
    private SluiceFixture sluice;
    private MockWebServer origin;

    @BeforeEach
    void start() {
        sluice = SluiceFixture.builder().tls().yaml("""
                timeouts: {requestHeader: 1s, drain: 1s}
                default: bump
                """).start();
        origin = TestOrigins.https(Protocol.HTTP_1_1);
    }

    @AfterEach
    void stop() {
        origin.close();
        sluice.close();
    }

    @Test
    void aRequestHeadDrippedPastTheHeaderTimeoutGets408AndIsCounted() throws IOException {
        String authority = TestOrigins.authority(origin.getPort());
        try (SSLSocket socket = BumpedSocket.open(sluice.proxyAddress(), authority,
                sluice.clientCertificates().sslSocketFactory(), "http/1.1")) {
            socket.getOutputStream().write(("GET /slow HTTP/1.1\r\nHost: " + authority + "\r\nX-Drip: ")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            String answer = readToEnd(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 408 ").contains("Proxy-Status: sluice; error=http_request_error");
        }

        sluice.awaitMetric(1, "sluice_http_requests_total", "status", "408");
        AccessLogLine line = sluice.awaitAccessLog(l -> "request_header_timeout".equals(l.text("error")));
        assertThat(line.text("action")).isEqualTo("bump");
        assertThat(origin.getRequestCount()).isZero();
    }

    private static String readToEnd(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException reset) {
            return "";
        }
    }
}
