package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An origin on 127.0.0.1 that accepts any number of connections on one selector thread and holds them open,
 * echoing the few bytes a client sends, until the client closes or the origin does. Nothing per connection but
 * the socket itself, so thousands of idle connections cost the bench's process next to nothing.
 */
final class HoldingOrigin implements AutoCloseable {
    private final Selector selector;
    private final ServerSocketChannel server;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private final AtomicInteger open = new AtomicInteger();
    private final Thread loop;
    private volatile boolean stopping;

    HoldingOrigin() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "holding-origin");
        loop.setDaemon(true);
        loop.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Connections accepted and not yet closed. */
    int openConnections() {
        return open.get();
    }

    /** Closes the listener and every held connection. */
    @Override
    public void close() throws IOException {
        stopping = true;
        selector.wakeup(); // the loop closes the channels and the selector on its own thread
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!stopping) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) accept();
                    else if (key.isReadable()) echo(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException broken) {
            System.err.println("origin selector failed: " + broken);
        } finally {
            closeAll();
        }
    }

    private void accept() throws IOException {
        SocketChannel connection;
        while ((connection = server.accept()) != null) {
            connection.configureBlocking(false);
            connection.register(selector, SelectionKey.OP_READ);
            open.incrementAndGet();
        }
    }

    /** Writes back what arrived; a few bytes always fit an empty send buffer, so a short write means a broken peer. */
    private void echo(SelectionKey key) {
        SocketChannel connection = (SocketChannel) key.channel();
        try {
            int n = connection.read(scratch.clear());
            if (n < 0) {
                drop(key);
                return;
            }
            scratch.flip();
            connection.write(scratch);
            if (scratch.hasRemaining()) drop(key);
        } catch (IOException e) {
            drop(key);
        }
    }

    private void drop(SelectionKey key) {
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // already gone
        }
        open.decrementAndGet();
    }

    private void closeAll() {
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
        for (SelectionKey key : selector.keys()) {
            if (key.channel() instanceof SocketChannel && key.channel().isOpen()) drop(key);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
