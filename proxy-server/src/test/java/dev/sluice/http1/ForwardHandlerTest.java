package dev.sluice.http1;

import static dev.sluice.testing.TestBodies.chunked;
import static dev.sluice.testing.TestBodies.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.observe.AccessLogEntry;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ForwardHandler} over real sockets, without the rest of Sluice: real clients, a proxy made of
 * {@code HttpServerCodec}, a test front door and the handler, and a MockWebServer origin on 127.0.0.1.
 */
class ForwardHandlerTest {
    private ForwardProxy proxy;
    private MockWebServer origin;

    @BeforeEach
    void start() throws Exception {
        proxy = ForwardProxy.start();
        origin = new MockWebServer();
        origin.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stop() throws Exception {
        origin.close();
        proxy.close();
    }

    @Test
    void aGetIsForwardedInOriginFormAndItsResponseComesBack() throws Exception {
        origin.enqueue(new MockResponse.Builder().code(201).body("hello").build());

        HttpResponse<String> response = proxy.jdkClient().send(HttpRequest.newBuilder(uri("/hello?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("hello");
        assertThat(response.headers().firstValue("Via")).hasValue("1.1 sluice");
        RecordedRequest seen = take();
        assertThat(seen.getRequestLine()).isEqualTo("GET /hello?x=1 HTTP/1.1");
        assertThat(seen.getHeaders().get("Host")).isEqualTo(authority());
        assertThat(seen.getHeaders().get("Via")).isEqualTo("1.1 sluice");

        AccessLogEntry entry = proxy.accessLog.take();
        assertThat(entry.method()).isEqualTo("GET");
        assertThat(entry.target()).isEqualTo(uri("/hello?x=1").toString());
        assertThat(entry.action()).isEqualTo("forward");
        assertThat(entry.rule()).isEqualTo("test-rule");
        assertThat(entry.user()).isEqualTo("tester");
        assertThat(entry.client()).startsWith("127.0.0.1:");
        assertThat(entry.status()).isEqualTo(201);
        assertThat(entry.bytesUp()).isZero();
        assertThat(entry.bytesDown()).isEqualTo(5);
        assertThat(entry.error()).isNull();
        assertThat(proxy.requests("GET", 201)).isEqualTo(1);
        assertThat(proxy.activeForwards()).isZero();
    }

    @Test
    void aFixedLengthBodyArrivesWholeWithItsLength() throws Exception {
        byte[] body = pattern(256 * 1024, 31);
        origin.enqueue(new MockResponse.Builder().body("stored").build());

        try (Response response = proxy.okHttp().newCall(new Request.Builder().url(url("/upload"))
                .post(RequestBody.create(body, MediaType.get("application/octet-stream"))).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("stored");
        }

        RecordedRequest seen = take();
        assertThat(seen.getMethod()).isEqualTo("POST");
        assertThat(seen.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(body.length));
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isNull();
        assertThat(Arrays.equals(seen.getBody().toByteArray(), body)).as("body intact").isTrue();
        assertThat(proxy.accessLog.take().bytesUp()).isEqualTo(body.length);
    }

    @Test
    void aChunkedBodyIsStreamedUpstreamChunked() throws Exception {
        byte[] piece = pattern(10_000, 31);
        origin.enqueue(new MockResponse.Builder().body("streamed").build());

        try (Response response = proxy.okHttp().newCall(new Request.Builder().url(url("/chunks"))
                .post(chunked(piece, 20)).build()).execute()) {
            assertThat(response.body().string()).isEqualTo("streamed");
        }

        RecordedRequest seen = take();
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(seen.getHeaders().get("Content-Length")).isNull();
        byte[] received = seen.getBody().toByteArray();
        assertThat(received).hasSize(20 * piece.length);
        for (int i = 0; i < 20; i++) {
            assertThat(Arrays.equals(Arrays.copyOfRange(received, i * piece.length, (i + 1) * piece.length), piece))
                    .as("piece %d intact", i).isTrue();
        }
    }

    @Test
    void keepAliveReusesTheClientConnectionAndTheUpstreamConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            origin.enqueue(new MockResponse.Builder().body("reply " + i).build());
        }

        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 3; i++) {
                client.send("GET " + url("/keep/" + i) + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
                RawClient.Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.text()).isEqualTo("reply " + i);
                assertThat(response.hasHeader("Connection")).isFalse();
            }
        }

        for (int i = 0; i < 3; i++) {
            RecordedRequest seen = take();
            assertThat(seen.getConnectionIndex()).as("one upstream connection").isZero();
            assertThat(seen.getExchangeIndex()).isEqualTo(i);
        }
        assertThat(proxy.clientChannels).hasSize(1);
        assertThat(proxy.connector.connects()).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAfterTheOtherInOrder() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("first").build());
        origin.enqueue(new MockResponse.Builder().body("second").build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/1") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n"
                    + "GET " + url("/2") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("first");
            assertThat(client.read().text()).isEqualTo("second");
        }

        assertThat(take().getTarget()).isEqualTo("/1");
        assertThat(take().getTarget()).isEqualTo("/2");
    }

    @Test
    void anHttp10ClientGetsAChunkedResponseDelimitedByCloseInstead() throws Exception {
        String text = "old school ".repeat(1000);
        origin.enqueue(new MockResponse.Builder().chunkedBody(text, 1024).build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/old") + " HTTP/1.0\r\n\r\n");
            RawClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.hasHeader("Transfer-Encoding")).isFalse();
            assertThat(response.hasHeader("Content-Length")).isFalse();
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(response.closeDelimited()).isTrue();
            assertThat(response.text()).isEqualTo(text);
        }
        RecordedRequest seen = take();
        assertThat(seen.getVersion()).isEqualTo("HTTP/1.1");
        assertThat(seen.getHeaders().get("Host")).isEqualTo(authority());
        assertThat(seen.getHeaders().get("Via")).isEqualTo("1.0 sluice");
    }

    @Test
    void anHttp10ClientThatAsksForKeepAliveKeepsItsConnection() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("one").build());
        origin.enqueue(new MockResponse.Builder().body("two").build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/a") + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response first = client.read();
            assertThat(first.header("Connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(first.text()).isEqualTo("one");

            client.send("GET " + url("/b") + " HTTP/1.0\r\n\r\n");
            RawClient.Response second = client.read();
            assertThat(second.text()).isEqualTo("two");
            assertThat(second.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer()).as("closed after a request without keep-alive").isTrue();
        }
    }

    @Test
    void anOriginBodyEndedByCloseIsChunkedForAnHttp11Client() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("until the end").removeHeader("Content-Length")
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
        origin.enqueue(new MockResponse.Builder().body("next").build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/eof") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(response.text()).isEqualTo("until the end");

            client.send("GET " + url("/next") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("next");
        }
        assertThat(take().getConnectionIndex()).isZero();
        assertThat(take().getConnectionIndex()).as("a close-delimited connection is not reused").isEqualTo(1);
    }

    @Test
    void hopByHopHeadersAreRemovedBothWaysAndViaIsAdded() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("ok")
                .addHeader("Connection", "X-Origin-Hop")
                .addHeader("X-Origin-Hop", "for the proxy only")
                .addHeader("Keep-Alive", "timeout=5")
                .addHeader("X-Origin-End-To-End", "kept")
                .build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/hops") + " HTTP/1.1\r\n"
                    + "Host: " + authority() + "\r\n"
                    + "Connection: keep-alive, X-Hop\r\n"
                    + "X-Hop: dropped because Connection names it\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Via: 1.0 corporate-proxy\r\n"
                    + "X-End-To-End: kept\r\n"
                    + "\r\n");
            RawClient.Response response = client.read();

            assertThat(response.text()).isEqualTo("ok");
            assertThat(response.header("X-Origin-End-To-End")).isEqualTo("kept");
            assertThat(response.header("Via")).isEqualTo("1.1 sluice");
            for (String hopByHop : new String[] {"X-Origin-Hop", "Keep-Alive", "Connection"}) {
                assertThat(response.header(hopByHop)).as(hopByHop + " reaching the client").isNull();
            }
        }

        RecordedRequest seen = take();
        assertThat(seen.getHeaders().get("X-End-To-End")).isEqualTo("kept");
        assertThat(seen.getHeaders().get("Via")).isEqualTo("1.0 corporate-proxy, 1.1 sluice");
        for (String hopByHop : new String[] {"X-Hop", "Proxy-Connection", "Proxy-Authorization", "Keep-Alive", "TE",
                "Upgrade", "Connection"}) {
            assertThat(seen.getHeaders().get(hopByHop)).as(hopByHop + " reaching the origin").isNull();
        }
    }

    @Test
    void aHeadResponseHasNoBodyAndTheConnectionGoesOn() throws Exception {
        origin.enqueue(new MockResponse.Builder().setHeader("Content-Length", "1234").build());
        origin.enqueue(new MockResponse.Builder().body("after head").build());

        try (RawClient client = proxy.raw()) {
            client.send("HEAD " + url("/head") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            RawClient.Response head = client.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("1234");

            client.send("GET " + url("/next") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("after head");
        }
    }

    @Test
    void anInterimContinueReachesTheClientBeforeItSendsTheBody() throws Exception {
        origin.enqueue(new MockResponse.Builder().add100Continue().body("thanks").build());

        try (RawClient client = proxy.raw()) {
            client.send("POST " + url("/expect") + " HTTP/1.1\r\nHost: " + authority() + "\r\n"
                    + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = client.readHead();
            assertThat(interim.status()).isEqualTo(100);

            client.send("hello");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).isEqualTo("thanks");
        }
        assertThat(take().getBody().utf8()).isEqualTo("hello");
    }

    @Test
    void aLargeResponseIsStreamedIntact() throws Exception {
        byte[] body = pattern(4 << 20, 31);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());

        try (Response response = proxy.okHttp().newCall(new Request.Builder().url(url("/large")).build()).execute()) {
            assertThat(Arrays.equals(response.body().bytes(), body)).as("body intact").isTrue();
        }
        assertThat(proxy.accessLog.take().bytesDown()).isEqualTo(body.length);
    }

    @Test
    void aClientThatStopsReadingStopsTheProxyFromReadingTheOrigin() throws Exception {
        byte[] body = pattern(32 << 20, 31);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/huge") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            Channel proxied = proxy.firstClientChannel();
            long mostQueued = 0;
            for (int i = 0; i < 20; i++) {
                Thread.sleep(50);
                mostQueued = Math.max(mostQueued, pendingWriteBytes(proxied));
            }
            // Netty's default high-water mark is 64 KiB; one more read (at most 64 KiB) may land on top.
            assertThat(mostQueued).as("bytes queued for the stalled client").isLessThan(1 << 20);

            RawClient.Response response = client.read();
            assertThat(Arrays.equals(response.body(), body)).as("body intact").isTrue();
        }
    }

    @Test
    void anOriginThatRefusesTheConnectionGets502WithProxyStatus() throws Exception {
        int closedPort = TestOrigins.closedPort();
        URI target = URI.create("http://127.0.0.1:" + closedPort + "/nobody");

        HttpResponse<String> response = proxy.jdkClient().send(HttpRequest.newBuilder(target).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Proxy-Status")).hasValueSatisfying(
                status -> assertThat(status).startsWith("sluice; error=connection_refused"));
        AccessLogEntry entry = proxy.accessLog.take();
        assertThat(entry.status()).isEqualTo(502);
        assertThat(entry.error()).isEqualTo("connect_refused");
        assertThat(proxy.requests("GET", 502)).isEqualTo(1);
        assertThat(proxy.errors("connect_refused")).isEqualTo(1);
    }

    @Test
    void anOriginThatClosesBeforeAnsweringGets502() throws Exception {
        origin.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/vanish") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Proxy-Status")).startsWith("sluice; error=connection_terminated");
        }
        assertThat(proxy.accessLog.take().error()).isEqualTo("upstream_reset");
    }

    @Test
    void anOriginThatAnswersWithGarbageGets502() throws Exception {
        try (SocketOrigin scripted = new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.send("SSH-2.0-OpenSSH_9.6 this is not HTTP\r\n\r\n");
            connection.awaitClosedByProxy();
        }); RawClient client = proxy.raw()) {
            client.send("GET " + scripted.url("/garbage") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Proxy-Status")).startsWith("sluice; error=http_protocol_error");
        }
        assertThat(proxy.accessLog.take().error()).isEqualTo("upstream_protocol_error");
    }

    @Test
    void anOriginThatDiesMidResponseClosesTheClientConnection() throws Exception {
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(pattern(1 << 20, 31)))
                .onResponseBody(new SocketEffect.CloseSocket()).build());

        try (RawClient client = proxy.raw()) {
            client.send("GET " + url("/cut") + " HTTP/1.1\r\nHost: " + authority() + "\r\n\r\n");
            RawClient.Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(1 << 20));
            byte[] rest = client.socket().getInputStream().readAllBytes();
            assertThat(rest.length).as("a truncated body, then the close").isLessThan(1 << 20);
        }
        AccessLogEntry entry = proxy.accessLog.take();
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.error()).isEqualTo("upstream_reset");
    }

    @Test
    void aReusedConnectionTheOriginDroppedIsRetriedOnceForAnIdempotentRequest() throws Exception {
        try (SocketOrigin scripted = new SocketOrigin(ForwardHandlerTest::dropTheSecondRequest);
             RawClient client = proxy.raw()) {
            client.send("GET " + scripted.url("/1") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("first");
            client.send("GET " + scripted.url("/2") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.text()).isEqualTo("answered on connection 1");
        }
        assertThat(proxy.connector.connects()).isEqualTo(2);
    }

    @Test
    void aPostIsNotRetriedWhenItsReusedConnectionDrops() throws Exception {
        try (SocketOrigin scripted = new SocketOrigin(ForwardHandlerTest::dropTheSecondRequest);
             RawClient client = proxy.raw()) {
            client.send("GET " + scripted.url("/1") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("first");
            client.send("POST " + scripted.url("/2") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            RawClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Proxy-Status")).startsWith("sluice; error=connection_terminated");
        }
        assertThat(proxy.connector.connects()).isEqualTo(1);
    }

    @Test
    void aClientThatLeavesMidRequestTakesItsUpstreamConnectionWithIt() throws Exception {
        CountDownLatch headArrived = new CountDownLatch(1);
        CompletableFuture<Boolean> upstreamClosed = new CompletableFuture<>();
        try (SocketOrigin scripted = new SocketOrigin((index, connection) -> {
            connection.readHead();
            if (index == 0) {
                headArrived.countDown();
                upstreamClosed.complete(connection.awaitClosedByProxy());
            } else {
                connection.respond("fresh");
            }
        })) {
            try (RawClient client = proxy.raw()) {
                client.send("POST " + scripted.url("/partial") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 100000\r\n\r\n" + "x".repeat(10));
                assertThat(headArrived.await(ForwardProxy.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
            AccessLogEntry entry = proxy.accessLog.take();
            assertThat(entry.error()).isEqualTo("client_closed");
            assertThat(entry.status()).isZero();
            assertThat(upstreamClosed.get(ForwardProxy.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("the proxy closed the upstream connection").isTrue();

            try (RawClient client = proxy.raw()) {
                client.send("GET " + scripted.url("/after") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(client.read().text()).isEqualTo("fresh");
            }
            assertThat(proxy.accessLog.take().status()).isEqualTo(200);
        }
        assertThat(proxy.connector.connects()).as("the abandoned connection was not pooled").isEqualTo(2);
        assertThat(proxy.errors("client_closed")).isEqualTo(1);
        assertThat(proxy.activeForwards()).isZero();
    }

    /** Answers the first request; the second on the same connection is read and then the connection dropped. */
    private static void dropTheSecondRequest(int index, SocketOrigin.Connection connection) throws IOException {
        if (index == 0) {
            connection.readHead();
            connection.respond("first");
            connection.readHead();
        } else {
            connection.readHead();
            connection.respond("answered on connection " + index);
        }
    }

    private RecordedRequest take() throws InterruptedException {
        return TestOrigins.take(origin);
    }

    private String authority() {
        return "127.0.0.1:" + origin.getPort();
    }

    private String url(String path) {
        return "http://" + authority() + path;
    }

    private URI uri(String path) {
        return URI.create(url(path));
    }

    private static long pendingWriteBytes(Channel channel) throws Exception {
        return channel.eventLoop().submit(() -> {
            var buffer = channel.unsafe().outboundBuffer();
            return buffer == null ? 0L : buffer.totalPendingWriteBytes();
        }).get();
    }

}
