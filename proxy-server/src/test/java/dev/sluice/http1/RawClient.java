package dev.sluice.http1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that writes bytes exactly as given and reads responses by hand: for HTTP/1.0, pipelining,
 * interim responses and connections that end early, which high-level clients hide.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress proxy) throws IOException {
        socket.connect(proxy, (int) ForwardProxy.PATIENCE.toMillis());
        socket.setSoTimeout((int) ForwardProxy.PATIENCE.toMillis());
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Stops reading for a while: the socket's receive buffer fills and the proxy must stop too. */
    Socket socket() {
        return socket;
    }

    /** A response head only (an interim 1xx, or a head whose body the test reads itself). */
    Response readHead() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        List<String[]> headers = new ArrayList<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
        return new Response(statusLine, headers, null, false);
    }

    /** A whole response, its body delimited by Content-Length, chunks, or the connection closing. */
    Response read() throws IOException {
        return read(false);
    }

    /** @param headRequest the response answers HEAD, so it has no body whatever its headers say */
    Response read(boolean headRequest) throws IOException {
        Response head = readHead();
        int status = head.status();
        if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
            return head.withBody(new byte[0], false);
        }
        String length = head.header("Content-Length");
        if (length != null) {
            return head.withBody(in.readNBytes(Integer.parseInt(length)), false);
        }
        if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            String trailer;
            do {
                trailer = line(); // trailers are not asserted on
            } while (trailer != null && !trailer.isEmpty());
            return head.withBody(body.toByteArray(), false);
        }
        return head.withBody(in.readAllBytes(), true);
    }

    /** Whether the proxy closed the connection (rather than the read timing out). */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** @param closeDelimited the body ended with the connection */
    record Response(String statusLine, List<String[]> headers, byte[] body, boolean closeDelimited) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        /** The last value of a header, or null. */
        String header(String name) {
            String value = null;
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    value = header[1];
                }
            }
            return value;
        }

        boolean hasHeader(String name) {
            return header(name) != null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Response withBody(byte[] bytes, boolean delimitedByClose) {
            return new Response(statusLine, headers, bytes, delimitedByClose);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(statusLine);
            for (String[] header : headers) {
                text.append('\n').append(header[0]).append(": ").append(header[1]);
            }
            return text.toString();
        }
    }
}
