package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An origin on 127.0.0.1 that misbehaves on purpose, the same way on every connection: it waits for the first
 * bytes from the proxy (an HTTP request head, a ClientHello, a tunnel's first payload), optionally sends a prefix
 * (an HTTP response head, or nothing for raw tunnel bytes), then does its fault. It remembers whether the proxy
 * hung up on it, so a test can assert that Sluice let go of the upstream side.
 *
 * <p>For an origin that refuses connections use {@link TestOrigins#closedPort()}; for DNS failure a name under
 * {@code .invalid}.
 */
public final class FaultyOrigin implements AutoCloseable {
    /** {@code Content-Length} a faulty HTTP response promises, far more than it ever sends. */
    public static final long PROMISED_LENGTH = 1L << 30;

    private final SocketOrigin origin;
    private final AtomicLong pushed = new AtomicLong();
    private final CompletableFuture<Boolean> proxyHungUp = new CompletableFuture<>();

    /** One of the factories below, for parameterized tests. */
    @FunctionalInterface
    public interface Factory {
        FaultyOrigin start() throws IOException;
    }

    private interface Fault {
        void run(FaultyOrigin origin, SocketOrigin.Connection connection) throws IOException;
    }

    private FaultyOrigin(byte[] prefix, Fault fault) throws IOException {
        origin = new SocketOrigin((index, connection) -> {
            byte[] first = new byte[16 * 1024];
            if (connection.in().read(first) < 0) {
                return;
            }
            connection.out().write(prefix);
            connection.out().flush();
            fault.run(this, connection);
        });
    }

    /** An HTTP/1.1 200 head promising {@link #PROMISED_LENGTH} bytes of body. */
    public static String httpHead() {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + PROMISED_LENGTH
                + "\r\n\r\n";
    }

    /** Sends {@code prefix} and {@code bytes} of body, then resets the connection (an abortive close). */
    public static FaultyOrigin resetAfter(String prefix, int bytes) throws IOException {
        return new FaultyOrigin(latin1(prefix), (self, connection) -> {
            self.send(connection.out(), bytes);
            connection.socket().setSoLinger(true, 0);
            connection.socket().close();
        });
    }

    /** Sends {@code prefix} and {@code bytes} of body, then says nothing more until the proxy hangs up. */
    public static FaultyOrigin stallAfter(String prefix, int bytes) throws IOException {
        return new FaultyOrigin(latin1(prefix), (self, connection) -> {
            self.send(connection.out(), bytes);
            self.awaitHangUp(connection.in());
        });
    }

    /** Answers the first bytes with bytes that are neither HTTP nor TLS, then waits for the proxy to hang up. */
    public static FaultyOrigin garbage() throws IOException {
        return new FaultyOrigin(latin1("\u0000\u0007garbage \u00ff\u00fe not a protocol\r\n\r\n"),
                (self, connection) -> self.awaitHangUp(connection.in()));
    }

    /** Closes the connection as soon as the first bytes (a ClientHello, during a TLS handshake) arrived. */
    public static FaultyOrigin closeOnFirstBytes() throws IOException {
        return new FaultyOrigin(new byte[0], (self, connection) -> connection.socket().close());
    }

    /** Sends {@code prefix} then zeros as fast as the proxy takes them, until the proxy hangs up. */
    public static FaultyOrigin endless(String prefix) throws IOException {
        return new FaultyOrigin(latin1(prefix), (self, connection) -> {
            try {
                self.send(connection.out(), Long.MAX_VALUE);
            } catch (SocketException hungUp) {
                self.proxyHungUp.complete(true);
            }
        });
    }

    public int port() {
        return origin.port();
    }

    /** Body bytes written to the proxy so far (accepted by the kernel, not necessarily read by the proxy). */
    public long pushed() {
        return pushed.get();
    }

    /** Whether the proxy closed (FIN or reset) the upstream connection within the patience. */
    public boolean awaitProxyHungUp() {
        try {
            return proxyHungUp.get(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    private void send(OutputStream out, long bytes) throws IOException {
        byte[] block = new byte[16 * 1024];
        for (long sent = 0; sent < bytes; ) {
            int n = (int) Math.min(block.length, bytes - sent);
            out.write(block, 0, n);
            sent += n;
            pushed.addAndGet(n);
        }
        out.flush();
    }

    private void awaitHangUp(InputStream in) {
        try {
            while (in.read() >= 0) {
                // discard whatever else the proxy sends
            }
            proxyHungUp.complete(true);
        } catch (SocketException reset) {
            proxyHungUp.complete(true);
        } catch (IOException timedOut) {
            proxyHungUp.complete(false);
        }
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        origin.close();
    }
}
