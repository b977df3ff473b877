package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timed download read to nowhere with a plain blocking NIO channel and a large direct buffer, either
 * straight from the origin or through an HTTP CONNECT proxy. The clock runs from connect to end of stream.
 */
final class Download {
    private static final int READ_BUFFER = 4 << 20;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Duration timeout;

    Download(Duration timeout) {
        this.timeout = timeout;
    }

    /** Elapsed nanoseconds to receive exactly {@code expected} bytes from {@code origin}. */
    long direct(InetSocketAddress origin, long expected) throws IOException {
        long start = System.nanoTime();
        try (SocketChannel channel = open(origin)) {
            ScheduledFuture<?> watchdog = watch(channel);
            try {
                check(readToEnd(channel, 0), expected);
            } finally {
                watchdog.cancel(false);
            }
        }
        return System.nanoTime() - start;
    }

    /** Like {@link #direct} but through {@code CONNECT origin} on {@code proxy}; the CONNECT is inside the clock. */
    long viaConnect(InetSocketAddress proxy, InetSocketAddress origin, long expected) throws IOException {
        long start = System.nanoTime();
        try (SocketChannel channel = open(proxy)) {
            ScheduledFuture<?> watchdog = watch(channel);
            try {
                String target = origin.getAddress().getHostAddress() + ":" + origin.getPort();
                ByteBuffer request = StandardCharsets.ISO_8859_1.encode(
                        "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
                while (request.hasRemaining()) channel.write(request);
                long payloadInHeadRead = readConnectResponse(channel);
                check(readToEnd(channel, payloadInHeadRead), expected);
            } finally {
                watchdog.cancel(false);
            }
        }
        return System.nanoTime() - start;
    }

    private static SocketChannel open(InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(address);
        return channel;
    }

    private ScheduledFuture<?> watch(SocketChannel channel) {
        return WATCHDOG.schedule(() -> {
            try {
                channel.close(); // unblocks the read, which then fails the run
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads the proxy's answer; returns how many payload bytes arrived after its head in the same reads. */
    private long readConnectResponse(SocketChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(16 * 1024);
        while (true) {
            if (channel.read(head) < 0) throw new IOException("proxy closed before answering CONNECT");
            String text = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String statusLine = text.substring(0, text.indexOf("\r\n"));
                if (!statusLine.matches("HTTP/1\\.[01] 200.*")) {
                    throw new IOException("proxy refused CONNECT: " + text.substring(0, end));
                }
                return head.position() - (end + 4);
            }
            if (!head.hasRemaining()) throw new IOException("CONNECT response head too large");
        }
    }

    private long readToEnd(SocketChannel channel, long already) throws IOException {
        long total = already;
        int n;
        while ((n = channel.read(buffer.clear())) >= 0) total += n;
        return total;
    }

    private static void check(long received, long expected) throws IOException {
        if (received != expected) {
            throw new IOException("received " + received + " bytes, expected " + expected);
        }
    }
}
