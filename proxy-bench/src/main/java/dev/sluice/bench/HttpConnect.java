package dev.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Blocking loopback connections for the bench's clients, and the HTTP CONNECT exchange that opens a tunnel. */
final class HttpConnect {
    private HttpConnect() {
    }

    /** A connected blocking channel with Nagle off, as every bench client uses. */
    static SocketChannel open(InetSocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * Sends {@code CONNECT authority} on {@code channel} (connected to a proxy) and reads the proxy's answer;
     * returns how many payload bytes arrived after its head in the same reads (they are consumed, not kept).
     *
     * @throws IOException when the proxy refuses or closes
     */
    static long tunnel(SocketChannel channel, String authority) throws IOException {
        ByteBuffer request = StandardCharsets.ISO_8859_1.encode(
                "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
        while (request.hasRemaining()) channel.write(request);
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
}
