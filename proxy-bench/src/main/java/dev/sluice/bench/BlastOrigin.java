package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * An origin on 127.0.0.1 that sends each connection exactly {@code bytes} bytes from one reused direct buffer,
 * then half-closes and waits for the client to close, so the transfer ends with FIN, never a reset.
 */
final class BlastOrigin implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final ServerSocketChannel server;
    private final ByteBuffer chunk;
    private final long bytes;
    private final Thread acceptor;

    BlastOrigin(long bytes) throws IOException {
        this.bytes = bytes;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        this.chunk = ByteBuffer.allocateDirect(CHUNK);
        for (int i = 0; i < CHUNK; i++) chunk.put((byte) i);
        this.acceptor = new Thread(this::acceptLoop, "blast-origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                Thread sender = new Thread(() -> send(connection), "blast-origin-send");
                sender.setDaemon(true);
                sender.start();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                System.err.println("origin accept failed: " + e);
                return;
            }
        }
    }

    private void send(SocketChannel connection) {
        try (connection) {
            ByteBuffer view = chunk.duplicate(); // each sender has its own position over the shared bytes
            long remaining = bytes;
            while (remaining > 0) {
                view.clear().limit((int) Math.min(CHUNK, remaining));
                while (view.hasRemaining()) remaining -= connection.write(view);
            }
            connection.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(512);
            while (connection.read(sink.clear()) >= 0) {
                // wait for the client's close
            }
        } catch (IOException e) {
            // the client gave up (timeout or failure); it reports that itself
        }
    }
}
