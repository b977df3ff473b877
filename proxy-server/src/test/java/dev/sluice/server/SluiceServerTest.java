package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigLoader;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.PasswordHasher;
import dev.sluice.testing.LoopbackSluice;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SluiceServerTest {
    private SluiceServer sluice;
    private ServerSocket origin;

    @AfterEach
    void stop() throws IOException {
        if (sluice != null) {
            sluice.close();
            sluice.metrics().close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void isReadyOnceListeningAndStopsAcceptingWhenClosed() throws Exception {
        sluice = start("");
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/readyz");

        assertThat(http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(200);

        InetSocketAddress proxy = sluice.proxyAddress();
        sluice.close();
        assertThatThrownBy(() -> new Socket(proxy.getAddress(), proxy.getPort()).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aReloadReachingAStoppedServerIsRefusedNotReportedAsApplied() throws Exception {
        sluice = start("");
        sluice.close();

        assertThatThrownBy(() -> sluice.apply(ConfigLoader.parse(LoopbackSluice.YAML + "default: deny\n", "t.yaml"),
                null)).isInstanceOf(IllegalStateException.class).hasMessage("server is stopping");
    }

    @Test
    void servesTheCaCertificateWhenTlsIsConfigured(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        String yaml = "listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\n";
        sluice = SluiceServer.start(ConfigLoader.parse(yaml, "test.yaml"), Metrics.create(), AccessLog.DISABLED, ca);

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/ca.crt")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(ca.certificatePem());
    }

    @Test
    void proxyAuthenticationGuardsTunnels() throws Exception {
        origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sluice = start("""
                auth:
                  basic:
                    users: {alice: "%s"}
                """.formatted(PasswordHasher.hash("secret".toCharArray()).encode()));
        String target = "origin.test:" + origin.getLocalPort();

        assertThat(connect(target, null)).startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n")
                .contains("proxy-authenticate: Basic realm=");
        assertThat(connect(target, "alice:wrong")).startsWith("HTTP/1.1 407 ");
        assertThat(connect(target, "alice:secret")).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
    }

    @Test
    void clientsThatVanishHalfwayThroughARequestLineLeaveNothingBehind() throws Exception {
        sluice = start("");
        for (boolean reset : new boolean[] {false, true}) {
            Socket socket = new Socket();
            socket.connect(sluice.proxyAddress(), 10_000);
            socket.getOutputStream().write("GET http://origin.test/hal".getBytes(StandardCharsets.US_ASCII));
            if (reset) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!sluice.metrics().scrape().contains("sluice_connections_active{kind=\"client\"} 0.0")) {
            assertThat(System.nanoTime()).as("client connections closed").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private SluiceServer start(String extra) throws Exception {
        return LoopbackSluice.start(extra, AccessLog.DISABLED);
    }

    /** Sends a CONNECT (with Basic credentials when given) and returns the response head. */
    private String connect(String target, String credentials) throws IOException {
        try (Socket socket = RawHttp.open(sluice.proxyAddress())) {
            String auth = credentials == null ? "" : "Proxy-Authorization: Basic "
                    + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)) + "\r\n";
            RawHttp.send(socket, "CONNECT " + target + " HTTP/1.1\r\n" + auth + "\r\n");
            return RawHttp.readHead(socket.getInputStream());
        }
    }
}
