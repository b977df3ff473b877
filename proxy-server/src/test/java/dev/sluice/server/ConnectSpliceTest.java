package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.config.ConfigLoader;
import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.testing.LoopbackSluice;
import dev.sluice.testing.RecordingAccessLog;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CONNECT splices through a real Sluice listener to real origins on 127.0.0.1, driven by raw sockets. */
@Timeout(60)
class ConnectSpliceTest {
    private static final int SLOW_READER_BYTES = 64 * 1024 * 1024;

    private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();
    private final RecordingAccessLog accessLog = new RecordingAccessLog();
    private SluiceServer sluice;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        if (sluice != null) {
            sluice.close();
            sluice.metrics().close();
        }
    }

    @Test
    void splicesBytesBothWays() throws Exception {
        SocketOrigin origin = origin(SocketOrigin::echo);
        start(allowingLoopback());

        try (Socket client = connectThroughSluice("origin.test:" + origin.port())) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(readExactly(client.getInputStream(), 4)).isEqualTo("ping");
        }

        AccessLogEntry entry = accessLog.take(e -> "CONNECT".equals(e.method()));
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.action()).isEqualTo("splice");
        assertThat(entry.rule()).isEqualTo("default");
        assertThat(entry.target()).isEqualTo("origin.test:" + origin.port());
        assertThat(entry.bytesUp()).isEqualTo(4);
        assertThat(entry.bytesDown()).isEqualTo(4);
        assertThat(sluice.metrics().scrape()).contains("sluice_bytes_total{direction=\"upstream\"} 4.0");
    }

    @Test
    void bytesSentRightAfterTheConnectReachTheOrigin() throws Exception {
        SocketOrigin origin = origin(SocketOrigin::echo);
        start(allowingLoopback());

        try (Socket client = socket()) {
            client.getOutputStream().write(("CONNECT origin.test:" + origin.port() + " HTTP/1.1\r\n\r\nhello")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(RawHttp.readHead(client.getInputStream())).startsWith("HTTP/1.1 200 Connection established");
            assertThat(readExactly(client.getInputStream(), 5)).isEqualTo("hello");
        }
    }

    @Test
    void aHalfCloseReachesTheOriginWhichCanStillAnswer() throws Exception {
        SocketOrigin origin = origin((index, connection) -> {
            byte[] all = connection.in().readAllBytes(); // returns at the client's FIN
            connection.out().write(("got " + all.length).getBytes(StandardCharsets.US_ASCII));
            connection.socket().shutdownOutput();
        });
        start(allowingLoopback());

        try (Socket client = connectThroughSluice("origin.test:" + origin.port())) {
            client.getOutputStream().write(new byte[1000]);
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("got 1000");
        }

        AccessLogEntry entry = accessLog.take(e -> "CONNECT".equals(e.method()));
        assertThat(entry.error()).isNull();
        assertThat(entry.bytesUp()).isEqualTo(1000);
    }

    @Test
    void aRefusedUpstreamGets502() throws Exception {
        int closedPort = TestOrigins.closedPort();
        start(allowingLoopback());

        try (Socket client = socket()) {
            String response = request(client, "CONNECT 127.0.0.1:" + closedPort + " HTTP/1.1\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("Proxy-Status: sluice; error=connection_refused");
            assertThat(client.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
        }
        AccessLogEntry entry = accessLog.take(e -> e.status() == 502);
        assertThat(entry.error()).isEqualTo("connect_refused");
        assertThat(sluice.metrics().scrape()).contains("sluice_errors_total{reason=\"connect_refused\"} 1.0");
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeGets504() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SaturatedBacklog backlog = SaturatedBacklog.of(silent)) {
            assumeTrue(backlog.saturated(), "this kernel answers SYNs beyond a full backlog");
            start(allowingLoopback() + "timeouts: {connect: 300ms}\n");

            try (Socket client = socket()) {
                String response = request(client, "CONNECT 127.0.0.1:" + silent.getLocalPort() + " HTTP/1.1\r\n\r\n");
                assertThat(response).startsWith("HTTP/1.1 504 Gateway Timeout\r\n")
                        .contains("Proxy-Status: sluice; error=connection_timeout");
            }
        }
        AccessLogEntry entry = accessLog.take(e -> e.status() == 504);
        assertThat(entry.error()).isEqualTo("connect_timeout");
        assertThat(sluice.metrics().scrape()).contains("sluice_errors_total{reason=\"connect_timeout\"} 1.0");
    }

    /**
     * Fills a listener's accept queue with connections nobody accepts. Linux then drops further SYNs (with
     * {@code tcp_abort_on_overflow} at its default 0), which on loopback is the one way to make a connect hang.
     */
    private record SaturatedBacklog(List<Socket> held, boolean saturated) implements AutoCloseable {
        static SaturatedBacklog of(ServerSocket listener) throws IOException {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(listener.getLocalSocketAddress(), 200);
                    held.add(socket);
                } catch (SocketTimeoutException dropped) {
                    socket.close();
                    return new SaturatedBacklog(held, true);
                }
            }
            return new SaturatedBacklog(held, false);
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void theDestinationGuardRefusesLoopbackUnlessAllowed() throws Exception {
        SocketOrigin origin = origin(SocketOrigin::echo);
        start(config(""));

        try (Socket client = socket()) {
            String response = request(client, "CONNECT origin.test:" + origin.port() + " HTTP/1.1\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 403 Forbidden\r\n")
                    .contains("error=destination_ip_prohibited");
        }
        assertThat(origin.accepted()).isZero();
    }

    @Test
    void aClientOutsideTheAllowlistIsClosedBeforeAnythingIsRead() throws Exception {
        start(config("""
                access:
                  clients: [10.0.0.0/8]
                  connectPorts: [1-65535]
                """));

        try (Socket client = socket()) {
            client.getOutputStream().write("CONNECT example.com:443 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readOrReset(client.getInputStream())).isEqualTo(-1);
        }
        AccessLogEntry entry = accessLog.take(e -> true);
        assertThat(entry.error()).isEqualTo("client_not_allowed");
        assertThat(entry.rule()).isEqualTo("access.clients");
    }

    @Test
    void aClientThatDisconnectsMidTunnelClosesTheUpstream() throws Exception {
        CompletableFuture<Integer> originSaw = new CompletableFuture<>();
        SocketOrigin origin = origin((index, connection) -> {
            try {
                originSaw.complete(connection.in().read());
            } catch (IOException e) {
                originSaw.complete(-1);
            }
        });
        start(allowingLoopback());

        Socket client = connectThroughSluice("origin.test:" + origin.port());
        client.setSoLinger(true, 0); // an abortive close: the origin must not wait for the idle timeout
        client.close();

        assertThat(originSaw.get(20, TimeUnit.SECONDS)).isEqualTo(-1);
        AccessLogEntry entry = accessLog.take(e -> "CONNECT".equals(e.method()));
        assertThat(entry.error()).isEqualTo("client_reset");
        assertThat(sluice.metrics().scrape()).contains("sluice_connections_active{kind=\"tunnel\"} 0.0");
    }

    @Test
    void aClientThatDoesNotReadHoldsBackTheOriginInsteadOfFillingSluice() throws Exception {
        AtomicLong pushed = new AtomicLong();
        SocketOrigin origin = origin((index, connection) -> {
            OutputStream out = connection.out();
            byte[] block = new byte[64 * 1024];
            for (int sent = 0; sent < SLOW_READER_BYTES; sent += block.length) {
                out.write(block);
                pushed.addAndGet(block.length);
            }
            connection.socket().shutdownOutput();
            connection.in().read();
        });
        start(allowingLoopback());
        ByteBufAllocatorMetricProvider allocator = (ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT;
        long directBefore = allocator.metric().usedDirectMemory();

        try (Socket client = connectThroughSluice("origin.test:" + origin.port())) {
            client.setReceiveBufferSize(64 * 1024);
            long stalledAt = awaitStall(pushed);
            long directDuring = allocator.metric().usedDirectMemory();

            assertThat(stalledAt).as("the origin is held back by TCP, not buffered by Sluice")
                    .isLessThan(SLOW_READER_BYTES / 2);
            assertThat(directDuring - directBefore).as("direct memory Sluice holds for the stalled tunnel")
                    .isLessThan(4L * 1024 * 1024);

            long received = drain(client.getInputStream());
            assertThat(received).isEqualTo(SLOW_READER_BYTES);
        }
    }

    // --- Sluice ---

    private static String allowingLoopback() {
        return LoopbackSluice.YAML;
    }

    private static String config(String access) {
        String accessBlock = access.isEmpty() ? """
                access:
                  clients: [127.0.0.0/8]
                  connectPorts: [1-65535]
                """ : access;
        return """
                listen: 127.0.0.1:0
                admin: 127.0.0.1:0
                hosts:
                  origin.test: 127.0.0.1
                """ + accessBlock;
    }

    private void start(String yaml) throws Exception {
        sluice = SluiceServer.start(ConfigLoader.parse(yaml, "test.yaml"), Metrics.create(), accessLog);
    }

    // --- clients ---

    private Socket socket() throws IOException {
        return RawHttp.open(sluice.proxyAddress());
    }

    private Socket connectThroughSluice(String target) throws IOException {
        Socket socket = socket();
        String head = request(socket, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
        assertThat(head).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
        return socket;
    }

    /** Sends a request and reads Sluice's answer. */
    private static String request(Socket socket, String request) throws IOException {
        RawHttp.send(socket, request);
        return RawHttp.readResponse(socket.getInputStream());
    }

    private static String readExactly(InputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.US_ASCII);
    }

    private static int readOrReset(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[256 * 1024];
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            total += n;
        }
        return total;
    }

    /** Waits until the counter has not moved for a second; returns where it stopped. */
    private static long awaitStall(AtomicLong counter) throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 300; i++) {
            Thread.sleep(1000);
            long now = counter.get();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the origin never stalled");
    }

    // --- origins ---

    private SocketOrigin origin(SocketOrigin.Script script) throws IOException {
        SocketOrigin origin = new SocketOrigin(script);
        closeAfter.add(origin);
        return origin;
    }
}
