package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.authority;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What real clients never send, and what goes wrong upstream, gets the documented answer (status, reason,
 * {@code Proxy-Status}), is counted and logged, and Sluice keeps serving: after every test a normal request
 * through the same Sluice must still succeed.
 */
class BadInputTest {
    private static final int MAX_HEADER_BYTES = 8192;
    private static final byte[] BIG_BODY = new byte[8 << 20];

    private static MockWebServer origin;
    private static int closedPort;
    private static SluiceFixture sluice;

    @BeforeAll
    static void start() {
        origin = TestOrigins.plain();
        origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getTarget().equals("/big")
                        ? new MockResponse.Builder().body(new Buffer().write(BIG_BODY)).build()
                        : new MockResponse.Builder().body("still here").build();
            }
        });
        closedPort = TestOrigins.closedPort();
        sluice = SluiceFixture.builder()
                .host("blocked.test", "127.0.0.1")
                .connectPorts("443", Integer.toString(origin.getPort()), Integer.toString(closedPort))
                .yaml("""
                        limits:
                          maxHeaderBytes: %d
                        timeouts:
                          requestHeader: 2s
                          idleClient: 2s
                        rules:
                          - name: blocked-hosts
                            match: {host: blocked.test}
                            action: deny
                        default: splice
                        """.formatted(MAX_HEADER_BYTES))
                .start();
    }

    @AfterAll
    static void stop() {
        if (sluice != null) sluice.close();
        if (origin != null) origin.close();
    }

    @AfterEach
    void aNormalRequestStillWorks() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send(get("http://" + authority(origin.getPort()) + "/normal"));
            RawResponse response = raw.readResponse();
            assertThat(response.status()).as("a normal request after the bad input").isEqualTo(200);
            assertThat(response.body()).isEqualTo("still here");
        }
    }

    @Test
    void aMalformedRequestLineGets400() throws IOException {
        double before = requests("400");

        RawResponse response = exchange("this is not http\r\n\r\n");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.reason()).isEqualTo("Bad Request");
        assertThat(response.header("Proxy-Status")).startsWith("sluice");
        sluice.awaitMetric(before + 1, "sluice_http_requests_total", "status", "400");
    }

    @ParameterizedTest
    @ValueSource(strings = {"origin.test:99999", "origin.test:0", "origin.test:https", "origin.test:-1"})
    void aConnectToAnAbsurdPortGets400(String target) throws IOException {
        RawResponse response = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Proxy-Status")).startsWith("sluice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@origin.test:443", "user:pw@origin.test:443", "origin.test", "origin.test:",
            "origin.test:443/path", ":443", "[::1", "[::1]443", "[origin.test]:443", "::1:443"})
    void aConnectToAMalformedTargetGets400(String target) throws IOException {
        RawResponse response = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Proxy-Status")).contains("bad CONNECT target");
    }

    @Test
    void oversizedHeadersGet431() throws IOException {
        double before = requests("431");

        RawResponse response = exchange("GET http://" + authority(origin.getPort()) + "/ HTTP/1.1\r\n"
                + "Host: " + authority(origin.getPort()) + "\r\n"
                + "X-Big: " + "a".repeat(MAX_HEADER_BYTES + 100) + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(431);
        assertThat(response.header("Proxy-Status")).startsWith("sluice");
        sluice.awaitMetric(before + 1, "sluice_http_requests_total", "status", "431");
    }

    @Test
    void anHttpsAbsoluteFormRequestIsNotSupported() throws IOException {
        RawResponse response = exchange(get("https://" + authority(origin.getPort()) + "/"));

        assertThat(response.status()).isIn(405, 501);
        assertThat(response.header("Proxy-Status")).startsWith("sluice");
    }

    @Test
    void anUnknownMethodGets501() throws IOException {
        RawResponse response = exchange("BREW http://" + authority(origin.getPort()) + "/pot HTTP/1.1\r\n"
                + "Host: " + authority(origin.getPort()) + "\r\n\r\n");

        assertThat(response.status()).isIn(405, 501);
        assertThat(response.header("Proxy-Status")).startsWith("sluice");
    }

    @Test
    void aConnectToAPortOutsideTheAllowlistGets403NamingTheRule() throws IOException {
        double before = sluice.metrics().value("sluice_decisions_total", "action", "deny", "rule", "access.connectPorts");

        RawResponse response = exchange(connect(authority(8443)));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("Proxy-Status")).contains("connectPorts");
        sluice.awaitMetric(before + 1, "sluice_decisions_total", "action", "deny", "rule", "access.connectPorts");
        AccessLogLine line = sluice.awaitAccessLog(l -> authority(8443).equals(l.text("target")));
        assertThat(line.text("method")).isEqualTo("CONNECT");
        assertThat(line.text("action")).isEqualTo("deny");
        assertThat(line.text("rule")).isEqualTo("access.connectPorts");
        assertThat(line.number("status")).isEqualTo(403);
    }

    @Test
    void aDenyRuleGets403NamingTheRuleForForwardAndConnect() throws IOException {
        double before = sluice.metrics().value("sluice_decisions_total", "action", "deny", "rule", "blocked-hosts");

        RawResponse forwarded = exchange(get("http://blocked.test/secret"));
        RawResponse tunnelled = exchange(connect("blocked.test:443"));

        assertThat(forwarded.status()).isEqualTo(403);
        assertThat(forwarded.header("Proxy-Status")).contains("blocked-hosts");
        assertThat(tunnelled.status()).isEqualTo(403);
        assertThat(tunnelled.header("Proxy-Status")).contains("blocked-hosts");
        sluice.awaitMetric(before + 2, "sluice_decisions_total", "action", "deny", "rule", "blocked-hosts");
        AccessLogLine line = sluice.awaitAccessLog(l -> "blocked.test:443".equals(l.text("target")));
        assertThat(line.text("rule")).isEqualTo("blocked-hosts");
        assertThat(line.number("status")).isEqualTo(403);
    }

    @Test
    void anUpstreamThatRefusesGets502ForConnectAndForward() throws IOException {
        double before = sluice.metrics().value("sluice_errors_total", "reason", "connect_refused");

        RawResponse tunnelled = exchange(connect(authority(closedPort)));
        RawResponse forwarded = exchange(get("http://" + authority(closedPort) + "/"));

        assertThat(tunnelled.status()).isEqualTo(502);
        assertThat(tunnelled.header("Proxy-Status")).contains("connection_refused");
        assertThat(forwarded.status()).isEqualTo(502);
        assertThat(forwarded.header("Proxy-Status")).contains("connection_refused");
        sluice.awaitMetric(before + 2, "sluice_errors_total", "reason", "connect_refused");
        AccessLogLine line = sluice.awaitAccessLog(l -> authority(closedPort).equals(l.text("target")));
        assertThat(line.number("status")).isEqualTo(502);
        assertThat(line.text("error")).isEqualTo("connect_refused");
    }

    @Test
    void aClientThatResetsMidTunnelLeavesNothingBehind() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send(connect(authority(origin.getPort())));
            assertThat(raw.readResponse().status()).isEqualTo(200);
            raw.send("GET /half HTTP/1.1\r\nHo");

            raw.abort();
        }

        sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method"))
                && authority(origin.getPort()).equals(l.text("target")) && l.number("status") == 200);
        sluice.awaitMetricAtMost(0, "sluice_connections_active", "kind", "tunnel");
    }

    @Test
    void aClientThatResetsWhileALargeDownloadIsRelayedLeavesNothingBehind() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send(connect(authority(origin.getPort())));
            assertThat(raw.readResponse().status()).isEqualTo(200);
            raw.send("GET /big HTTP/1.1\r\nHost: " + authority(origin.getPort()) + "\r\n\r\n");
            assertThat(raw.in().readNBytes(64 * 1024)).hasSize(64 * 1024);

            raw.abort();
        }

        sluice.awaitMetricAtMost(0, "sluice_connections_active", "kind", "tunnel");
    }

    @Test
    void aClientThatVanishesHalfwayThroughARequestLineLeavesNothingBehind() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("GET http://" + authority(origin.getPort()) + "/hal");

            raw.abort();
        }

        sluice.awaitMetricAtMost(0, "sluice_connections_active", "kind", "client");
    }

    @Test
    void aClientThatNeverFinishesItsHeadersIsAnsweredAndClosed() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("GET http://" + authority(origin.getPort()) + "/slow HTTP/1.1\r\nX-Slow: 1\r\n");

            RawResponse response = raw.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(raw.awaitClosedByPeer()).isTrue();
        }
    }

    @Test
    void aForwardedBodyThatStallsForTheIdleTimeoutIsAnswered408AndLosesItsConnection() throws IOException {
        double before = sluice.metrics().value("sluice_errors_total", "reason", "request_body_timeout");
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("POST http://" + authority(origin.getPort()) + "/upload HTTP/1.1\r\nHost: "
                    + authority(origin.getPort()) + "\r\nContent-Length: 100\r\n\r\na part only");

            RawResponse response = raw.readResponse();
            assertThat(response.status()).as("the client's stall, named as at a bumped connection").isEqualTo(408);
            assertThat(response.header("Proxy-Status")).contains("error=http_request_error");
            assertThat(raw.awaitClosedByPeer()).isTrue();
        }
        sluice.awaitMetric(before + 1, "sluice_errors_total", "reason", "request_body_timeout");
    }

    private static RawResponse exchange(String request) throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            return raw.send(request.getBytes(StandardCharsets.ISO_8859_1)).readResponse();
        }
    }

    private static String get(String absoluteUri) {
        String authority = absoluteUri.replaceFirst("^[a-z]+://", "").replaceFirst("/.*$", "");
        return "GET " + absoluteUri + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
    }

    private static String connect(String target) {
        return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
    }

    private static double requests(String status) {
        return sluice.metrics().value("sluice_http_requests_total", "status", status);
    }
}
