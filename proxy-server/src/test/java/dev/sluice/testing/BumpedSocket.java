package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** A blocking TLS socket through a Sluice CONNECT tunnel, for tests that write a bumped protocol by hand. */
public final class BumpedSocket {
    private BumpedSocket() {
    }

    /**
     * CONNECTs to {@code authority} through {@code proxy}, then completes a TLS handshake offering only {@code alpn};
     * fails unless that protocol is negotiated.
     */
    public static SSLSocket open(InetSocketAddress proxy, String authority, SSLSocketFactory tls, String alpn)
            throws IOException {
        Socket tunnel = new Socket();
        tunnel.setSoTimeout((int) SluiceFixture.PATIENCE.toMillis());
        tunnel.connect(proxy);
        tunnel.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(tunnel.getInputStream());
        if (!head.startsWith("HTTP/1.1 200")) {
            tunnel.close();
            throw new IOException("CONNECT refused: " + head);
        }
        String host = authority.substring(0, authority.lastIndexOf(':'));
        SSLSocket socket = (SSLSocket) tls.createSocket(tunnel, host, proxy.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {alpn});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!alpn.equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IOException(alpn + " not negotiated: " + socket.getApplicationProtocol());
        }
        return socket;
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("proxy closed during CONNECT: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
