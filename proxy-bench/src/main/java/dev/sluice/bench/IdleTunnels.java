package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * CONNECT tunnels through a proxy to one echoing origin, opened in batches from one thread with non-blocking
 * channels, then left idle or woken now and then by {@link #echo}. A tunnel counts as up once the proxy answered 200
 * and a few bytes made the round trip to the origin and back, so both of the proxy's legs are established and have
 * carried data. Not thread-safe: one thread opens, echoes and closes.
 */
final class IdleTunnels implements AutoCloseable {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress proxy;
    private final ByteBuffer request;
    private final Duration batchTimeout;
    private final Selector selector;
    private final List<SocketChannel> up = new ArrayList<>();

    /** One tunnel on its way up: the bytes read so far of the proxy's answer, then of the echoed ping. */
    private static final class Handshake {
        final ByteBuffer received = ByteBuffer.allocate(1024);
        boolean answered;
    }

    IdleTunnels(InetSocketAddress proxy, InetSocketAddress origin, Duration batchTimeout) throws IOException {
        this.proxy = proxy;
        String target = origin.getAddress().getHostAddress() + ":" + origin.getPort();
        this.request = StandardCharsets.US_ASCII.encode("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
        this.batchTimeout = batchTimeout;
        this.selector = Selector.open();
    }

    /** Tunnels up and idle. */
    int size() {
        return up.size();
    }

    /** Opens {@code count} more tunnels at once and returns when all are up; fails if one is not within the timeout. */
    void open(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.connect(proxy);
            channel.register(selector, SelectionKey.OP_CONNECT, new Handshake());
        }
        awaitAll(count, "not up", batchTimeout, this::advance);
    }

    /** What to do with a ready key; true when its tunnel is done with, after which it is no longer watched. */
    private interface Step {
        boolean done(SelectionKey key) throws IOException;
    }

    /** Selects until {@code step} has reported {@code count} tunnels done, failing when {@code timeout} runs out. */
    private void awaitAll(int count, String notDone, Duration timeout, Step step) throws IOException {
        int pending = count;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending > 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new IOException(pending + " of " + count + " tunnels " + notDone + " within " + timeout);
            selector.select(left);
            for (SelectionKey key : selector.selectedKeys()) {
                if (step.done(key)) pending--;
            }
            selector.selectedKeys().clear();
        }
    }

    /** Moves one tunnel a step on; true when it is up, after which it is no longer watched. */
    private boolean advance(SelectionKey key) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Handshake handshake = (Handshake) key.attachment();
        if (key.isConnectable()) {
            channel.finishConnect();
            writeFully(channel, request.duplicate());
            key.interestOps(SelectionKey.OP_READ);
            return false;
        }
        if (channel.read(handshake.received) < 0) throw new IOException("proxy closed a tunnel while it was opening");
        ByteBuffer received = handshake.received;
        if (!handshake.answered) {
            String head = new String(received.array(), 0, received.position(), StandardCharsets.ISO_8859_1);
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                if (!received.hasRemaining()) throw new IOException("CONNECT answer head too large");
                return false;
            }
            if (!head.matches("(?s)HTTP/1\\.[01] 200[ \r].*")) {
                throw new IOException("proxy refused CONNECT: " + head.substring(0, end));
            }
            if (received.position() != end + 4) throw new IOException("bytes from the origin before the ping");
            handshake.answered = true;
            received.clear();
            writeFully(channel, ByteBuffer.wrap(PING));
            return false;
        }
        if (received.position() < PING.length) return false;
        if (received.position() > PING.length) throw new IOException("the origin echoed more than was sent");
        key.cancel(); // idle from here on: no interest, no handshake state
        key.attach(null);
        up.add(channel);
        return true;
    }

    /** A request or a ping fits an idle socket's send buffer in one write; anything else is a broken connection. */
    private static void writeFully(SocketChannel channel, ByteBuffer bytes) throws IOException {
        channel.write(bytes);
        if (bytes.hasRemaining()) throw new IOException("could not write " + bytes.limit() + " bytes to a new connection");
    }

    /**
     * Sends {@code payload} through the tunnels {@code from} to {@code from + count - 1} (in the order they came up)
     * and waits until each has echoed exactly those bytes back; they are idle again afterwards.
     *
     * @throws IOException when a tunnel closes, echoes other bytes, or not all have echoed within {@code timeout}
     */
    void echo(int from, int count, byte[] payload, Duration timeout) throws IOException {
        selector.selectNow(); // drops the keys cancelled by the last round, so that the channels can register again
        for (SocketChannel channel : up.subList(from, from + count)) {
            writeFully(channel, ByteBuffer.wrap(payload));
            channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(payload.length + 1));
        }
        awaitAll(count, "not echoed", timeout, key -> echoed(key, payload));
    }

    /** Reads what a tunnel echoed so far; true when it is all of {@code payload}, after which it is idle again. */
    private static boolean echoed(SelectionKey key, byte[] payload) throws IOException {
        ByteBuffer received = (ByteBuffer) key.attachment();
        if (((SocketChannel) key.channel()).read(received) < 0) throw new IOException("a tunnel closed during an echo");
        if (received.position() < payload.length) return false;
        if (received.position() > payload.length
                || !received.flip().equals(ByteBuffer.wrap(payload))) throw new IOException("a tunnel echoed other bytes");
        key.cancel();
        return true;
    }

    /** Closes every tunnel, up or not. */
    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) key.channel().close();
        for (SocketChannel channel : up) channel.close();
        up.clear();
        selector.close();
    }
}
