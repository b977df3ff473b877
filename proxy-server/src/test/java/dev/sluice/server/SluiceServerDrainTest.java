package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.observe.AccessLog;
import dev.sluice.testing.LoopbackSluice;
import dev.sluice.testing.PrometheusText;
import dev.sluice.testing.SocketOrigin;
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
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM's drain ({@link SluiceServer#close()}): not ready at once, no new clients, open tunnels get a grace period,
 * idle keep-alive connections close at once, a request in flight finishes first; counted by how they ended.
 */
@Timeout(90)
class SluiceServerDrainTest {
    private static final long PATIENCE_MS = 20_000;

    private SluiceServer sluice;
    private ServerSocket origin;
    private Thread stopping;

    @BeforeEach
    void startOrigin() throws IOException {
        origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        origin.setSoTimeout((int) PATIENCE_MS);
    }

    @AfterEach
    void stop() throws Exception {
        if (sluice != null) {
            sluice.close();
            sluice.metrics().close();
        }
        if (stopping != null) {
            stopping.join();
        }
        origin.close();
    }

    @Test
    void drainingReportsNotReadyAtOnceAndRefusesNewConnections() throws Exception {
        sluice = LoopbackSluice.start("timeouts: {drain: 2m}\n", AccessLog.DISABLED);
        InetSocketAddress proxy = sluice.proxyAddress();
        try (Socket client = tunnel(); Socket upstream = origin.accept()) {
            assertThat(readyz()).isEqualTo(200);

            startStopping();

            awaitReadyz(503);
            awaitRefused(proxy);
        }
        stopping.join(PATIENCE_MS);
        assertThat(stopping.isAlive()).as("the drain ended with the last tunnel, long before its deadline").isFalse();
    }

    @Test
    void anOpenTunnelKeepsRelayingUntilItEndsByItself() throws Exception {
        sluice = LoopbackSluice.start("timeouts: {drain: 2m}\n", AccessLog.DISABLED);
        try (Socket client = tunnel(); Socket upstream = origin.accept()) {
            startStopping();
            awaitReadyz(503);

            send(client, "still there?");
            assertThat(read(upstream, 12)).isEqualTo("still there?");
            send(upstream, "yes");
            assertThat(read(client, 3)).isEqualTo("yes");
        }
        stopping.join(PATIENCE_MS);
        assertThat(stopping.isAlive()).as("the drain ended with the last tunnel, long before its deadline").isFalse();
    }

    @Test
    void aTunnelStillOpenAtTheDeadlineIsClosed() throws Exception {
        sluice = LoopbackSluice.start("timeouts: {drain: 1s}\n", AccessLog.DISABLED);
        try (Socket client = tunnel(); Socket upstream = origin.accept()) {
            startStopping();

            assertThat(client.getInputStream().read()).as("Sluice closed the tunnel").isEqualTo(-1);
            stopping.join(PATIENCE_MS);
            assertThat(stopping.isAlive()).isFalse();
        }
        assertThat(drained("forced")).isEqualTo(1);
        assertThat(drained("finished")).isZero();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAsSoAsTheDrainStarts() throws Exception {
        sluice = LoopbackSluice.start("timeouts: {drain: 2m}\n", AccessLog.DISABLED);
        try (SocketOrigin http = new SocketOrigin((index, connection) -> {
            while (connection.readHead() != null) {
                connection.respond("hello");
            }
        }); Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, "GET " + http.url("/") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(RawHttp.readResponse(client.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("hello");

            startStopping();

            assertThat(client.getInputStream().read()).as("Sluice closed the idle connection").isEqualTo(-1);
            stopping.join(PATIENCE_MS);
            assertThat(stopping.isAlive()).as("the drain did not wait for its 2 minute deadline").isFalse();
        }
        assertThat(drained("finished")).isEqualTo(1);
        assertThat(drained("forced")).isZero();
    }

    @Test
    void aRequestInFlightAtTheDrainGetsItsResponseThenTheConnectionCloses() throws Exception {
        sluice = LoopbackSluice.start("timeouts: {drain: 2m}\n", AccessLog.DISABLED);
        CountDownLatch requestArrived = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (SocketOrigin http = new SocketOrigin((index, connection) -> {
            connection.readHead();
            requestArrived.countDown();
            await(answer);
            connection.respond("late but whole");
        }); Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, "GET " + http.url("/") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            await(requestArrived);

            startStopping();
            awaitReadyz(503);
            answer.countDown();

            String response = RawHttp.readResponse(client.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("late but whole");
            assertThat(response.toLowerCase(Locale.ROOT)).contains("connection: close");
            assertThat(client.getInputStream().read()).as("closed after its exchange").isEqualTo(-1);
            stopping.join(PATIENCE_MS);
            assertThat(stopping.isAlive()).isFalse();
        }
        assertThat(drained("finished")).isEqualTo(1);
    }

    private double drained(String how) {
        return PrometheusText.parse(sluice.metrics().scrape()).value("sluice_drain_connections_closed_total", "how", how);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(PATIENCE_MS, TimeUnit.MILLISECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A spliced tunnel to the origin socket; its client side. */
    private Socket tunnel() throws IOException {
        Socket client = RawHttp.open(sluice.proxyAddress());
        RawHttp.send(client, "CONNECT 127.0.0.1:" + origin.getLocalPort() + " HTTP/1.1\r\n\r\n");
        assertThat(RawHttp.readHead(client.getInputStream())).startsWith("HTTP/1.1 200 ");
        return client;
    }

    /** What the JVM's shutdown hook does on SIGTERM, on its own thread so the test can watch the drain. */
    private void startStopping() {
        stopping = new Thread(sluice::close, "test-sigterm");
        stopping.start();
    }

    private int readyz() throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/readyz");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void awaitReadyz(int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
        while (readyz() != status) {
            assertThat(System.nanoTime()).as("/readyz answers " + status).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitRefused(InetSocketAddress proxy) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
        while (true) {
            try (Socket ignored = new Socket(proxy.getAddress(), proxy.getPort())) {
                assertThat(System.nanoTime()).as("the listener refuses new connections").isLessThan(deadline);
                Thread.sleep(20);
            } catch (ConnectException refused) {
                return;
            }
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String read(Socket socket, int length) throws IOException {
        socket.setSoTimeout((int) PATIENCE_MS);
        return new String(socket.getInputStream().readNBytes(length), StandardCharsets.US_ASCII);
    }
}
