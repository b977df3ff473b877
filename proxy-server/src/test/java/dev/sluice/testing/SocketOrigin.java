package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking origin on 127.0.0.1 that runs a script on each connection it accepts, one thread per connection:
 * for what MockWebServer cannot be made to do at an exact moment (drop a connection on its second request,
 * answer something that is not HTTP, notice the proxy hanging up) and for raw tunnel payload (echo).
 */
public final class SocketOrigin implements AutoCloseable {
    /** What to do with the connection numbered {@code index} (0 for the first accepted). */
    @FunctionalInterface
    public interface Script {
        void run(int index, Connection connection) throws IOException;
    }

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    public SocketOrigin(Script script) throws IOException {
        daemon("origin-acceptor", () -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return;
                }
                int index = accepted.getAndIncrement();
                open.add(socket);
                daemon("origin-worker", () -> {
                    try (Connection connection = new Connection(socket)) {
                        script.run(index, connection);
                    } catch (IOException e) {
                        // the proxy or the test went away; scripts that care assert on it themselves
                    } finally {
                        open.remove(socket);
                    }
                });
            }
        });
    }

    /** Sends back whatever arrives, until the peer half-closes. */
    public static void echo(int index, Connection connection) throws IOException {
        connection.in().transferTo(connection.out());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** One accepted connection; reads give up after {@link SluiceFixture#PATIENCE}. */
    public static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            socket.setSoTimeout((int) SluiceFixture.PATIENCE.toMillis());
        }

        public Socket socket() {
            return socket;
        }

        public InputStream in() {
            return in;
        }

        public OutputStream out() throws IOException {
            return socket.getOutputStream();
        }

        /** The request line and headers, or null when the proxy closed the connection first. */
        public String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int b = in.read(); b != -1; b = in.read()) {
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        /** Bytes exactly as given, HTTP or not. */
        public void send(String raw) throws IOException {
            out().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out().flush();
        }

        public void respond(String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out().write(("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out().write(bytes);
            out().flush();
        }

        /** Reads and discards until the proxy closes its end; true if it did within the patience. */
        public boolean awaitClosedByProxy() {
            try {
                while (in.read() != -1) {
                    // discard
                }
                return true;
            } catch (IOException e) {
                return e.getMessage() != null && e.getMessage().contains("reset");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
