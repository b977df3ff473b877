package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.observe.AccessLog;
import dev.sluice.testing.LoopbackSluice;
import dev.sluice.testing.SocketOrigin;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The front door and the forwarder sharing one client connection, through a real listener. */
@Timeout(60)
class ForwardThroughSluiceTest {
    private final MockWebServer origin = new MockWebServer();
    private SluiceServer sluice;
    private String base;

    @BeforeEach
    void start() throws Exception {
        origin.start(InetAddress.getLoopbackAddress(), 0);
        base = "http://origin.test:" + origin.getPort();
        sluice = LoopbackSluice.start("""
                rules:
                  - name: blocked
                    match: {host: blocked.test}
                    action: deny
                """, AccessLog.DISABLED);
    }

    @AfterEach
    void stop() {
        sluice.close();
        sluice.metrics().close();
        origin.close();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("first").build());
        origin.enqueue(new MockResponse.Builder().body("second").build());

        try (Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, "GET " + base + "/1 HTTP/1.1\r\nHost: origin.test\r\n\r\n"
                    + "POST " + base + "/2 HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 4\r\n\r\nbody");
            InputStream in = client.getInputStream();

            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200").endsWith("first");
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200").endsWith("second");
        }
        assertThat(take().getTarget()).isEqualTo("/1");
        RecordedRequest post = take();
        assertThat(post.getTarget()).isEqualTo("/2");
        assertThat(post.getBody().utf8()).isEqualTo("body");
    }

    @Test
    void aDeniedRequestDoesNotCostTheConnection() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("allowed").build());

        try (Socket client = RawHttp.open(sluice.proxyAddress())) {
            InputStream in = client.getInputStream();
            RawHttp.send(client, "GET http://blocked.test/ HTTP/1.1\r\nHost: blocked.test\r\n\r\n");
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 403 Forbidden")
                    .contains("details=\"denied by rule blocked");

            RawHttp.send(client, "GET " + base + "/ok HTTP/1.1\r\nHost: origin.test\r\n\r\n");
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200").endsWith("allowed");
        }
    }

    @Test
    void aConnectPipelinedBehindAForwardWaitsForItsResponse() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("plain").build());
        try (SocketOrigin echo = new SocketOrigin(SocketOrigin::echo);
             Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, "GET " + base + "/first HTTP/1.1\r\nHost: origin.test\r\n\r\n"
                    + "CONNECT origin.test:" + echo.port() + " HTTP/1.1\r\n\r\n");
            InputStream in = client.getInputStream();

            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 200").endsWith("plain");
            assertThat(RawHttp.readHead(in)).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
            RawHttp.send(client, "echo");
            assertThat(new String(in.readNBytes(4))).isEqualTo("echo");
        }
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest request = origin.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        return request;
    }
}
