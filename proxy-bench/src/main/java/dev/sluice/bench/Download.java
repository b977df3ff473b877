package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * One timed download read to nowhere with a plain blocking NIO channel and a large direct buffer, either
 * straight from the origin or through an HTTP CONNECT proxy. The clock runs from connect to end of stream.
 */
final class Download {
    private static final int READ_BUFFER = 4 << 20;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final Duration timeout;

    Download(Duration timeout) {
        this.timeout = timeout;
    }

    /** Elapsed nanoseconds to receive exactly {@code expected} bytes from {@code origin}. */
    long direct(InetSocketAddress origin, long expected) throws IOException {
        long start = System.nanoTime();
        try (SocketChannel channel = HttpConnect.open(origin)) {
            ScheduledFuture<?> watchdog = Watchdog.closeAfter(channel, timeout); // a blocked read then fails
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
        try (SocketChannel channel = HttpConnect.open(proxy)) {
            ScheduledFuture<?> watchdog = Watchdog.closeAfter(channel, timeout); // a blocked read then fails
            try {
                long payloadInHeadRead = HttpConnect.tunnel(channel,
                        origin.getAddress().getHostAddress() + ":" + origin.getPort());
                check(readToEnd(channel, payloadInHeadRead), expected);
            } finally {
                watchdog.cancel(false);
            }
        }
        return System.nanoTime() - start;
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
