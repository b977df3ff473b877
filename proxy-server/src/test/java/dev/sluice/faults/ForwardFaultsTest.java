package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.DirectMemorySampler;
import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults on the plain-HTTP forward path ({@code GET http://...}): what the client gets when the origin fails, what
 * the origin sees when the client fails, and that every fault leaves no descriptor or direct memory behind, is
 * logged and counted, and leaves Sluice serving the next client.
 */
class ForwardFaultsTest extends PlainFaultsContract {
    /** An origin failing before its response head: the fault, status, Proxy-Status error, reason. */
    static Stream<Arguments> failuresBeforeTheHead() {
        return Stream.of(
                Arguments.of("answers garbage", (FaultyOrigin.Factory) FaultyOrigin::garbage, 502,
                        "http_protocol_error", "upstream_protocol_error"),
                Arguments.of("stalls before its head", (FaultyOrigin.Factory) () -> FaultyOrigin.stallAfter("", 0), 504,
                        "http_response_timeout", "upstream_timeout"));
    }

    @ParameterizedTest(name = "an origin that {0} -> {2} {3}")
    @MethodSource("failuresBeforeTheHead")
    void anOriginFailingBeforeItsHeadIsAnsweredBySluiceAndLetGo(String fault, FaultyOrigin.Factory faultyOrigin,
                                                                 int status, String proxyStatus, String reason)
            throws Exception {
        origin = faultyOrigin.start();
        String target = url("/before-head");
        double before = Faults.errors(sluice, reason);

        RawResponse response = forward(target);

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("proxy-status")).contains("error=" + proxyStatus);
        assertThat(origin.awaitProxyHungUp()).as("the origin's connection is closed").isTrue();
        assertLoggedAndCounted(target, reason, before);
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
    void aClientThatNeverReadsHoldsTheOriginBackInsteadOfFillingSluice() throws Exception {
        origin = FaultyOrigin.endless(FaultyOrigin.httpHead());
        try (RawProxyConnection client = sluice.raw(); DirectMemorySampler sampler = new DirectMemorySampler()) {
            client.send(get(url("/never-read")));

            long stalledAt = awaitStall(origin);

            assertThat(stalledAt).as("what the origin got rid of: socket buffers, not Sluice").isLessThan(64L << 20);
            assertThat(sampler.max() - baseline.direct()).as("direct memory Sluice held").isLessThan(4L << 20);
        }
        assertThat(origin.awaitProxyHungUp()).isTrue();
        assertRecovered();
    }

    /** Waits until the origin has pushed nothing more for a second; returns what it had pushed by then. */
    private static long awaitStall(FaultyOrigin origin) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        long before = -1;
        while (System.nanoTime() < deadline) {
            long now = origin.pushed();
            if (now == before && now > 0) return now;
            before = now;
            Thread.sleep(1000);
        }
        throw new AssertionError("the origin never stalled; it pushed " + origin.pushed() + " bytes");
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

    @Override
    RawResponse request(String hostPort) throws IOException {
        return forward(logged(hostPort));
    }

    @Override
    String logged(String hostPort) {
        return "http://" + hostPort + "/unreachable";
    }

    @Override
    void assertServesAFreshClient() throws IOException {
        Faults.assertForwardsAFreshRequest(sluice);
    }
}
