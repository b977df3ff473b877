package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bumped CONNECT whose first flight is no ClientHello is closed cleanly, counted and logged; Sluice goes on
 * serving. A first flight that never comes is cut off by {@code timeouts.tlsHandshake}.
 */
class BumpBadFirstFlightTest {
    private static SluiceFixture sluice;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().tls().yaml("""
                default: bump
                timeouts: {tlsHandshake: 2s}
                """).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    static Stream<Arguments> badFirstFlights() {
        return Stream.of(
                Arguments.of("plain HTTP", "GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                        "not_tls"),
                Arguments.of("SSLv2-style hello", new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15}, "not_tls"),
                Arguments.of("record version 2.0", new byte[] {22, 2, 0}, "malformed_client_hello"),
                Arguments.of("empty handshake record", new byte[] {22, 3, 1, 0, 0}, "malformed_client_hello"),
                Arguments.of("a ServerHello", new byte[] {22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3}, "malformed_client_hello"),
                Arguments.of("a record over 16 KiB", new byte[] {22, 3, 1, 0x4e, 0x20, 1}, "client_hello_too_large"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badFirstFlights")
    void isClosedCleanlyCountedAndLogged(String name, byte[] flight, String reason) throws Exception {
        double before = failures(reason);
        try (RawProxyConnection raw = sluice.raw()) {
            int port = TestOrigins.closedPort(); // never connected to: the bump stops before upstream
            raw.send("CONNECT origin.test:" + port + " HTTP/1.1\r\nHost: origin.test:" + port + "\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(200);

            raw.send(flight);

            assertThat(raw.awaitClosedByPeer()).as("closed by Sluice").isTrue();
            sluice.awaitMetric(before + 1, "sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
            String target = "origin.test:" + port;
            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.text("error")).isEqualTo(reason);
            assertThat(line.text("action")).isEqualTo("bump");
        }
        assertSluiceStillBumps();
    }

    @Test
    void aClientThatNeverSendsItsClientHelloIsCutOffByTheHandshakeTimeout() throws Exception {
        double before = failures("handshake_timeout");
        try (RawProxyConnection raw = sluice.raw()) {
            int port = TestOrigins.closedPort();
            raw.send("CONNECT origin.test:" + port + " HTTP/1.1\r\nHost: origin.test:" + port + "\r\n\r\n");
            assertThat(raw.readResponse().status()).isEqualTo(200);

            assertThat(raw.awaitClosedByPeer()).as("closed by Sluice").isTrue();
        }
        sluice.awaitMetric(before + 1, "sluice_bump_handshakes_total", "outcome", "failed", "reason",
                "handshake_timeout");
    }

    @Test
    void anUpstreamThatRefusesTheConnectionGetsTheClientAnAlert() throws Exception {
        String target = TestOrigins.authority(TestOrigins.closedPort());

        assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder().url("https://" + target + "/").build())
                .execute().close())
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("internal_error");

        AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
        assertThat(line.text("error")).isEqualTo("connect_refused");
        sluice.awaitMetric(1, "sluice_bump_handshakes_total", "outcome", "failed", "reason", "connect_refused");
    }

    private static double failures(String reason) {
        return sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
    }

    private static void assertSluiceStillBumps() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("still here").build());
            try (Response response = sluice.okHttp().newCall(new Request.Builder()
                    .url(url("https", origin, "/")).build()).execute()) {
                assertThat(response.body().string()).isEqualTo("still here");
            }
        }
    }
}
