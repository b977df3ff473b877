package dev.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;

/** Origins on 127.0.0.1 ephemeral ports, addressed by tests as {@link TestPki#ORIGIN_HOST}. */
public final class TestOrigins {
    private TestOrigins() {
    }

    /** A plain-HTTP/1.1 MockWebServer. */
    public static MockWebServer plain() {
        return started(new MockWebServer());
    }

    /** An HTTPS MockWebServer with the TestPki server certificate, negotiating the given protocols by ALPN. */
    public static MockWebServer https(Protocol... protocols) {
        return https(TestPki.get().serverCertificates(), protocols);
    }

    /** An HTTPS MockWebServer presenting {@code certificates}, e.g. for other names or from another CA. */
    public static MockWebServer https(HandshakeCertificates certificates, Protocol... protocols) {
        MockWebServer server = new MockWebServer();
        server.useHttps(certificates.sslSocketFactory());
        server.setProtocols(List.of(protocols));
        return started(server);
    }

    /** {@code scheme://origin.test:port/path} for an origin. */
    public static String url(String scheme, MockWebServer origin, String path) {
        return scheme + "://" + TestPki.ORIGIN_HOST + ":" + origin.getPort() + path;
    }

    /** {@code origin.test:port}, as a CONNECT target or Host header. */
    public static String authority(int port) {
        return TestPki.ORIGIN_HOST + ":" + port;
    }

    /** A loopback port nothing listens on (it was bound and released), so connecting to it is refused. */
    public static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next request {@code origin} received; fails the test if none arrives within the patience. */
    public static RecordedRequest take(MockWebServer origin) throws InterruptedException {
        RecordedRequest request = origin.takeRequest(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the origin received no request within " + SluiceFixture.PATIENCE);
        }
        return request;
    }

    private static MockWebServer started(MockWebServer server) {
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
