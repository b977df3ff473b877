package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The least a CONNECT proxy can do: blocking sockets, one thread per direction, 1 MiB buffers, no policy, no
 * metrics. Its ratio to direct is the ceiling for any relay that copies bytes through user space on this machine,
 * which puts Sluice's ratio in proportion. Trusts its client (the bench) and serves loopback only.
 */
final class ReferenceRelay implements AutoCloseable {
    static final String DESCRIPTION = "reference relay (blocking, thread per direction, 1 MiB buffers)";
    private static final int BUFFER = 1 << 20;
    private static final ByteBuffer ESTABLISHED =
            StandardCharsets.ISO_8859_1.encode("HTTP/1.1 200 Connection established\r\n\r\n");

    private final ServerSocketChannel server;

    ReferenceRelay() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        daemon("reference-relay-accept", this::acceptLoop);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                daemon("reference-relay-tunnel", () -> tunnel(client));
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                System.err.println("reference relay accept failed: " + e);
                return;
            }
        }
    }

    private static void tunnel(SocketChannel client) {
        try (client; SocketChannel upstream = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstream.connect(readConnectTarget(client));
            client.write(ESTABLISHED.duplicate());
            Thread up = new Thread(() -> pump(client, upstream), "reference-relay-up");
            up.setDaemon(true);
            up.start();
            pump(upstream, client);
            up.join();
        } catch (IOException | InterruptedException e) {
            // the bench's download reports the failure
        }
    }

    /** Reads the CONNECT head one byte at a time, so no tunnel byte is consumed with it. */
    private static InetSocketAddress readConnectTarget(SocketChannel client) throws IOException {
        StringBuilder head = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (head.indexOf("\r\n\r\n") < 0) {
            if (client.read(one.clear()) < 0) throw new IOException("client closed before its CONNECT ended");
            head.append((char) one.get(0));
        }
        String authority = head.toString().split(" ", 3)[1];
        int colon = authority.lastIndexOf(':');
        return new InetSocketAddress(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (from.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) to.write(buffer);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // the other direction or the download notices
        }
    }
}
