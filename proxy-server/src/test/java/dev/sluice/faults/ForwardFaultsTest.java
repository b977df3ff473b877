package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.ResourceBaseline;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Faults on the plain-HTTP forward path ({@code GET http://...}): what the client gets when the origin fails, what
 * the origin sees when the client fails, and that every fault leaves no descriptor or direct memory behind, is
 * logged and counted, and leaves Sluice serving the next client.
 */
@Isolated("counts the JVM's open file descriptors")
class ForwardFaultsTest {
    private static SluiceFixture sluice;
    private FaultyOrigin origin;
    private ResourceBaseline baseline;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().yaml(Faults.SHORT_TIMEOUTS).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @BeforeEach
    void recordBaseline() {
        baseline = ResourceBaseline.record();
    }

    @AfterEach
    void stopOrigin() throws IOException {
        if (origin != null) origin.close();
    }

    @Test
    void aRefusingOriginIs502ConnectionRefused() throws Exception {
        String target = "http://127.0.0.1:" + TestOrigins.closedPort() + "/refused";
        double before = Faults.errors(sluice, "connect_refused");

        RawResponse response = forward(target);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.header("proxy-status")).contains("error=connection_refused");
        assertLoggedAndCounted(target, "connect_refused", before);
        assertRecovered();
    }

    @Test
    void anUnresolvableNameIs504DnsError() throws Exception {
        String target = "http://nowhere.invalid:80/dns";
        double before = Faults.errors(sluice, "dns_failure");

        RawResponse response = forward(target);

        assertThat(response.status()).isEqualTo(504);
        assertThat(response.header("proxy-status")).contains("error=dns_error");
        assertLoggedAndCounted(target, "dns_failure", before);
        assertRecovered();
    }

    @Test
    void anOriginAnsweringGarbageIs502ProtocolError() throws Exception {
        origin = FaultyOrigin.garbage();
        String target = url("/garbage");
        double before = Faults.errors(sluice, "upstream_protocol_error");

        RawResponse response = forward(target);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.header("proxy-status")).contains("error=http_protocol_error");
        assertThat(origin.awaitProxyHungUp()).as("the origin's connection is closed").isTrue();
        assertLoggedAndCounted(target, "upstream_protocol_error", before);
        assertRecovered();
    }

    @Test
    void anOriginResettingMidBodyCutsTheClientShortInsteadOfEndingTheResponse() throws Exception {
        origin = FaultyOrigin.resetAfter(FaultyOrigin.httpHead(), 100_000);
        String target = url("/reset");
        double before = Faults.errors(sluice, "upstream_reset");

        try (RawProxyConnection client = sluice.raw()) {
            client.send(get(target));
            RawResponse head = client.readResponseHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(client.readToEnd()).as("body bytes before the close").isLessThan(FaultyOrigin.PROMISED_LENGTH);
        }
        assertLoggedAndCounted(target, "upstream_reset", before);
        assertRecovered();
    }

    @Test
    void anOriginStallingBeforeItsHeadIs504AfterTheUpstreamIdleTimeout() throws Exception {
        origin = FaultyOrigin.stallAfter("", 0);
        String target = url("/stall-head");
        double before = Faults.errors(sluice, "upstream_timeout");

        RawResponse response = forward(target);

        assertThat(response.status()).isEqualTo(504);
        assertThat(response.header("proxy-status")).contains("error=http_response_timeout");
        assertThat(origin.awaitProxyHungUp()).as("the stalled origin connection is closed").isTrue();
        assertLoggedAndCounted(target, "upstream_timeout", before);
        assertRecovered();
    }

    @Test
    void anOriginStallingMidBodyHasTheClientConnectionClosedAfterTheUpstreamIdleTimeout() throws Exception {
        origin = FaultyOrigin.stallAfter(FaultyOrigin.httpHead(), 50_000);
        String target = url("/stall-body");
        double before = Faults.errors(sluice, "upstream_timeout");

        try (RawProxyConnection client = sluice.raw()) {
            client.send(get(target));
            assertThat(client.readResponseHead().status()).isEqualTo(200);
            assertThat(client.readToEnd()).isEqualTo(50_000);
        }
        assertThat(origin.awaitProxyHungUp()).as("the stalled origin connection is closed").isTrue();
        assertLoggedAndCounted(target, "upstream_timeout", before);
        assertRecovered();
    }

    @Test
    void aClientVanishingMidTransferClosesTheOriginConnection() throws Exception {
        origin = FaultyOrigin.endless(FaultyOrigin.httpHead());
        String target = url("/vanish");
        double before = Faults.errors(sluice, "client_closed");

        RawProxyConnection client = sluice.raw();
        client.send(get(target));
        assertThat(client.readResponseHead().status()).isEqualTo(200);
        client.in().readNBytes(100_000);
        client.abort();

        assertThat(origin.awaitProxyHungUp()).as("the origin's connection is closed").isTrue();
        assertLoggedAndCounted(target, "client_closed", before);
        assertRecovered();
    }

    @Test
    void aClientHalfClosingAfterItsRequestStillGetsTheWholeResponse() throws Exception {
        CompletableFuture<String> originSaw = new CompletableFuture<>();
        try (SocketOrigin answering = new SocketOrigin((index, connection) -> {
            originSaw.complete(connection.readHead());
            connection.respond("after the half-close");
        })) {
            try (RawProxyConnection client = sluice.raw()) {
                client.send(get(answering.url("/half-close")));
                client.shutdownOutput();
                RawResponse response = client.readResponse();

                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("after the half-close");
                assertThat(client.awaitClosedByPeer()).as("Sluice closes after answering a half-closed client")
                        .isTrue();
            }
            assertThat(originSaw.get(20, TimeUnit.SECONDS)).startsWith("GET /half-close HTTP/1.1");
        }
        baseline.assertReturned();
    }

    private static RawResponse forward(String target) throws IOException {
        try (RawProxyConnection client = sluice.raw()) {
            return client.send(get(target)).readResponse();
        }
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + target.split("/")[2] + "\r\nConnection: close\r\n\r\n";
    }

    private String url(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    private static void assertLoggedAndCounted(String target, String error, double errorsBefore) {
        assertThat(sluice.awaitAccessLog(line -> target.equals(line.text("target"))).text("error")).isEqualTo(error);
        sluice.awaitMetric(errorsBefore + 1, "sluice_errors_total", "reason", error);
    }

    /** Nothing left behind, and the next client is served. */
    private void assertRecovered() throws IOException {
        if (origin != null) {
            origin.close();
            origin = null;
        }
        baseline.assertReturned();
        Faults.assertForwardsAFreshRequest(sluice);
    }
}
