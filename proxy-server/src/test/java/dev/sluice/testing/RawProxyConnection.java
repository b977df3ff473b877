package dev.sluice.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plain socket to Sluice for what real clients never send: malformed request lines, absurd ports, HTTP/1.0,
 * pipelined requests on one connection. Reads are bounded by a generous timeout.
 */
public final class RawProxyConnection implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final int MAX_HEAD_BYTES = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawProxyConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawProxyConnection open(InetSocketAddress proxy) throws IOException {
        return open(proxy, null);
    }

    /** @param localAddress the client's source address (e.g. 127.0.0.2 for a second loopback client), or null */
    public static RawProxyConnection open(InetSocketAddress proxy, InetAddress localAddress) throws IOException {
        Socket socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.connect(proxy, READ_TIMEOUT_MILLIS);
        return new RawProxyConnection(socket);
    }

    /** Sends text as ISO-8859-1 bytes (HTTP/1 heads are bytes, not UTF-8). */
    public RawProxyConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawProxyConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Reads one response. The body is read by Content-Length, chunked framing, or to end of stream when the
     * response is HTTP/1.0 or says {@code Connection: close}; otherwise (a CONNECT 200) there is none.
     */
    public RawResponse readResponse() throws IOException {
        RawResponse withoutBody = readResponseHead();
        String body = readBody(withoutBody);
        return new RawResponse(withoutBody.version(), withoutBody.status(), withoutBody.reason(),
                withoutBody.headers(), body);
    }

    /** Reads a response head only, leaving its body in {@link #in()} (for bodies too large or cut short). */
    public RawResponse readResponseHead() throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + lines[0]);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) throw new IOException("bad header line: " + lines[i]);
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        return new RawResponse(statusLine[0], Integer.parseInt(statusLine[1]),
                statusLine.length > 2 ? statusLine[2] : "", headers, "");
    }

    /** True when the peer closes (FIN or reset) before the read timeout; false if it sends a byte instead. */
    public boolean awaitClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }

    /** Reads and counts bytes until the peer closes (FIN or reset); a read timeout fails. */
    public long readToEnd() throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new IOException("still open after " + total + " bytes", stillOpen);
        } catch (SocketException reset) {
            // a reset ends the stream too
        }
        return total;
    }

    /** Closes the sending side only (FIN), leaving the connection open for reading. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public InputStream in() {
        return in;
    }

    public OutputStream out() {
        return out;
    }

    /** Drops the connection with a TCP reset, as a crashing client would. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed after " + head.size() + " bytes of response head: "
                    + head.toString(StandardCharsets.ISO_8859_1));
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEAD_BYTES) throw new IOException("response head too large");
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    private String readBody(RawResponse head) throws IOException {
        String length = head.header("content-length");
        if (length != null) {
            return new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
        }
        String encoding = head.header("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return readChunked();
        }
        String connection = head.header("connection");
        boolean closes = head.version().equals("HTTP/1.0")
                || (connection != null && connection.equalsIgnoreCase("close"));
        boolean bodiless = head.status() < 200 || head.status() == 204 || head.status() == 304;
        if (closes && !bodiless) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return "";
    }

    private String readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers are not needed by any test
                }
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("connection closed inside a chunked body");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
