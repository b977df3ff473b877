package dev.sluice.http1;

import static dev.sluice.testing.TestBodies.chunked;
import static dev.sluice.testing.TestBodies.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.grpc.CallGate;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.policy.Decision;
import dev.sluice.relay.Drain;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.EchoingWebSocket;
import dev.sluice.testing.OkHttpClients;
import dev.sluice.testing.RecordingHttpObserver;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.WebSocketInbox;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okio.Buffer;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BumpedHttp1Relay} over real loopback sockets, without TLS: real clients talk to the
 * {@link BumpedRelayHarness} as if it were the origin, and it relays to a MockWebServer or a scripted origin.
 */
class BumpedHttp1RelayTest {
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");
    private static final CallGate NO_DELETE = (service, method) -> method.equals("Delete")
            ? new Decision(Action.DENY, "no-delete", "matched rule no-delete", List.of())
            : CallGate.ALLOW_ALL.decide(service, method);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private MockWebServer origin;
    private BumpedRelayHarness harness;
    private final OkHttpClients okHttpClients = new OkHttpClients();
    private OkHttpClient okHttp;

    @AfterEach
    void stop() throws Exception {
        okHttpClients.close();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void aGetIsRelayedAndRecordedAsOneExchange() throws Exception {
        relayToMockOrigin();
        origin.enqueue(new MockResponse.Builder().code(201).body("hello").build());

        try (Response response = get("/hello?x=1")) {
            assertThat(response.code()).isEqualTo(201);
            assertThat(response.body().string()).isEqualTo("hello");
        }

        RecordedRequest seen = TestOrigins.take(origin);
        assertThat(seen.getRequestLine()).isEqualTo("GET /hello?x=1 HTTP/1.1");
        assertThat(seen.getHeaders().get("Host")).isEqualTo(hostHeader());
        RecordingHttpObserver observer = harness.observer();
        HttpExchangeRecord exchange = observer.take();
        assertThat(exchange.protocol()).isEqualTo("http/1.1");
        assertThat(exchange.method()).isEqualTo("GET");
        assertThat(exchange.authority()).isEqualTo(hostHeader());
        assertThat(exchange.path()).isEqualTo("/hello?x=1");
        assertThat(exchange.status()).isEqualTo(201);
        assertThat(exchange.bytesUp()).isZero();
        assertThat(exchange.bytesDown()).isEqualTo(5);
        assertThat(exchange.durationNanos()).isPositive();
        assertThat(exchange.error()).isNull();
        assertThat(observer.bytesDown.get()).isEqualTo(5);
        assertThat(observer.streamsOpened.get() + observer.streamsClosed.get()).as("streams are HTTP/2's").isZero();
    }

    @Test
    void fixedLengthBodiesOfSeveralMebibytesArriveIntactBothWays() throws Exception {
        relayToMockOrigin();
        byte[] up = pattern(5 * 1024 * 1024, 31);
        byte[] down = pattern(6 * 1024 * 1024, 17);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(down)).build());

        try (Response response = client().newCall(new Request.Builder().url(harness.url("/upload"))
                .post(RequestBody.create(up, OCTETS)).build()).execute()) {
            assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(down.length));
            assertThat(Arrays.equals(response.body().bytes(), down)).as("response body intact").isTrue();
        }

        RecordedRequest seen = TestOrigins.take(origin);
        assertThat(seen.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(up.length));
        assertThat(Arrays.equals(seen.getBody().toByteArray(), up)).as("request body intact").isTrue();
        HttpExchangeRecord exchange = harness.observer().take();
        assertThat(exchange.bytesUp()).isEqualTo(up.length);
        assertThat(exchange.bytesDown()).isEqualTo(down.length);
    }

    @Test
    void chunkedBodiesAreStreamedChunkedBothWays() throws Exception {
        relayToMockOrigin();
        byte[] piece = pattern(64 * 1024, 7);
        byte[] down = pattern(4 * 1024 * 1024, 13);
        origin.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(down), 100_000).build());

        try (Response response = client().newCall(new Request.Builder().url(harness.url("/chunks"))
                .post(chunked(piece, 64)).build()).execute()) {
            assertThat(response.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
            assertThat(Arrays.equals(response.body().bytes(), down)).as("response body intact").isTrue();
        }

        RecordedRequest seen = TestOrigins.take(origin);
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        byte[] received = seen.getBody().toByteArray();
        assertThat(received).hasSize(64 * piece.length);
        for (int i = 0; i < 64; i++) {
            assertThat(Arrays.equals(Arrays.copyOfRange(received, i * piece.length, (i + 1) * piece.length), piece))
                    .as("piece %d intact", i).isTrue();
        }
    }

    @Test
    void keepAliveCarriesManyRequestsOverOneConnectionPair() throws Exception {
        relayToMockOrigin();
        for (int i = 0; i < 5; i++) {
            origin.enqueue(new MockResponse.Builder().body("reply " + i).build());
        }

        for (int i = 0; i < 5; i++) {
            try (Response response = get("/keep/" + i)) {
                assertThat(response.body().string()).isEqualTo("reply " + i);
            }
        }

        for (int i = 0; i < 5; i++) {
            RecordedRequest seen = TestOrigins.take(origin);
            assertThat(seen.getConnectionIndex()).as("one upstream connection").isZero();
            assertThat(seen.getExchangeIndex()).isEqualTo(i);
        }
        RecordingHttpObserver observer = harness.observer();
        for (int i = 0; i < 5; i++) {
            assertThat(observer.take().path()).isEqualTo("/keep/" + i);
        }
        assertThat(harness.observers).as("one client connection").isEmpty();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        relayToMockOrigin("first", "second");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("first");
            assertThat(client.read().text()).isEqualTo("second");
        }

        assertThat(TestOrigins.take(origin).getTarget()).isEqualTo("/1");
        assertThat(TestOrigins.take(origin).getTarget()).isEqualTo("/2");
    }

    @Test
    void headAnd204And304HaveNoBodyAndKeepTheConnection() throws Exception {
        relayToMockOrigin();
        origin.enqueue(new MockResponse.Builder().setHeader("Content-Length", "1234").build());
        origin.enqueue(new MockResponse.Builder().code(204).build());
        origin.enqueue(new MockResponse.Builder().code(304).build());
        origin.enqueue(new MockResponse.Builder().body("after").build());

        try (RawClient client = new RawClient(harness.address())) {
            client.send("HEAD /head HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response head = client.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("1234");
            for (int status : new int[] {204, 304}) {
                client.send("GET /" + status + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                RawClient.Response response = client.read();
                assertThat(response.status()).isEqualTo(status);
                assertThat(response.body()).isEmpty();
            }
            client.send("GET /after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).as("the connection is still in step").isEqualTo("after");
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().method()).isEqualTo("HEAD");
        assertThat(observer.take().status()).isEqualTo(204);
        assertThat(observer.take().status()).isEqualTo(304);
    }

    @Test
    void aResponseDelimitedByClosingIsReadToTheCloseThenBothClose() throws Exception {
        byte[] body = pattern(300_000, 5);
        relayTo(new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.send("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n");
            connection.out().write(body);
            connection.out().flush();
            connection.socket().shutdownOutput();
            connection.awaitClosedByProxy();
        }));

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.header("Transfer-Encoding")).as("re-framed for keep-alive framing")
                    .isEqualToIgnoringCase("chunked");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(Arrays.equals(response.body(), body)).as("body intact").isTrue();
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().error()).isNull();
        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.closedCalls.get()).isEqualTo(1);
        assertThat(observer.closedDown()).isEqualTo(body.length);
    }

    @Test
    void connectionCloseFromTheClientEndsThePairAfterTheExchange() throws Exception {
        relayToMockOrigin("last");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /bye HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.text()).isEqualTo("last");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }

        assertThat(TestOrigins.take(origin).getHeaders().get("Connection")).as("hop-by-hop, not relayed").isNull();
        assertThat(harness.observer().awaitClosed()).isNull();
    }

    @Test
    void connectionCloseFromTheOriginEndsThePairAfterTheExchange() throws Exception {
        relayToMockOrigin();
        origin.enqueue(new MockResponse.Builder().setHeader("Connection", "close").body("done").build());

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /done HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.text()).isEqualTo("done");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().status()).isEqualTo(200);
        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.closedCalls.get()).isEqualTo(1);
    }

    @Test
    void anOriginThatClosesMidResponseLeavesTheClientATruncatedBody() throws Exception {
        relayTo(new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
            connection.socket().close();
        }));

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /cut HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.header("Content-Length")).isEqualTo("1000");
            assertThat(response.text()).isEqualTo("0123456789");
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        HttpExchangeRecord exchange = observer.take();
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.error()).isEqualTo("upstream_closed");
        assertThat(observer.awaitClosed()).isEqualTo("upstream_closed");
    }

    @Test
    void anOriginThatClosesBeforeAnsweringGetsTheClientA502() throws Exception {
        relayTo(new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.socket().close();
        }));

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }

        HttpExchangeRecord exchange = harness.observer().take();
        assertThat(exchange.status()).isEqualTo(502);
        assertThat(exchange.error()).isEqualTo("upstream_closed");
    }

    @Test
    void aMalformedRequestIsAnswered400AndClosed() throws Exception {
        relayToMockOrigin();

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /a b c d HTTP/1.1 junk\r\nHost a\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(response.header("Proxy-Status")).startsWith("sluice; error=http_request_error");
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        HttpExchangeRecord exchange = observer.take();
        assertThat(exchange.status()).isEqualTo(400);
        assertThat(exchange.method()).isNull();
        assertThat(exchange.error()).isEqualTo("bad_request");
        assertThat(observer.awaitClosed()).isEqualTo("bad_request");
        assertThat(origin.getRequestCount()).isZero();
    }

    /** A bumped connection is read as strictly as the front door: no request whose framing is in doubt is relayed. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "400|Content-Length: 3\r\nTransfer-Encoding: chunked",
            "400|Transfer-Encoding: xchunked",
            "400|Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
            "400|Content-Length: 3\r\nContent-Length: 4",
            "400|Content-Length : 3",
            "400|X-Bare: lf\n",
            "501|Transfer-Encoding: gzip, chunked",
            "501|Transfer-Encoding: identity, chunked"})
    void aRequestWhoseFramingIsInDoubtIsAnsweredAndClosedAndNeverReachesTheOrigin(String statusAndFraming)
            throws Exception {
        String[] parts = statusAndFraming.split("\\|", 2);
        relayToMockOrigin("must not be served");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n" + parts[1] + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(Integer.parseInt(parts[0]));
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }

        assertThat(harness.observer().take().status()).isEqualTo(Integer.parseInt(parts[0]));
        assertThat(origin.getRequestCount()).isZero();
    }

    /**
     * The origin is sent the host an absolute-form target names (RFC 9112 §3.2.2), and may route by any of several
     * {@code Host} fields: each must name the bumped host.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "GET http://elsewhere.test/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET https://elsewhere.test:443/x HTTP/1.1\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: elsewhere.test\r\n\r\n"})
    void aRequestThatWouldReachTheOriginForAnotherHostIsMisdirected(String request) throws Exception {
        relayToMockOrigin("must not be served");

        try (RawClient client = new RawClient(harness.address())) {
            client.send(request);
            assertThat(client.read().status()).isEqualTo(421);
        }

        assertThat(harness.observer().take().error()).isEqualTo("misdirected_request");
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void anAbsoluteFormTargetNamingTheBumpedHostIsRelayedInOriginForm() throws Exception {
        relayToMockOrigin("served");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET http://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("served");
        }

        assertThat(TestOrigins.take(origin).getRequestLine()).isEqualTo("GET /x HTTP/1.1");
    }

    /** gRPC-Web and Connect clients speak HTTP/1.1 too: call rules gate a bumped HTTP/1.1 request by its path. */
    @ParameterizedTest
    @ValueSource(strings = {"application/grpc-web+proto", "application/proto", "application/json"})
    void aRequestWhosePathACallRuleDeniesIsAnswered403AndNeverReachesTheOrigin(String contentType) throws Exception {
        relayToMockOrigin(NO_DELETE, "must not be served");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("POST /pkg.Svc/%44elete?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("Proxy-Status"))
                    .isEqualTo("sluice; error=http_request_denied; details=\"sluice: call denied by rule no-delete\"");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
        }

        assertThat(origin.getRequestCount()).isZero();
        HttpExchangeRecord exchange = harness.observer().take();
        assertThat(exchange.status()).isEqualTo(403);
        assertThat(exchange.error()).isEqualTo("grpc_denied");
        assertThat(exchange.grpc()).as("the denial, for the log line and the denial count").isEqualTo(
                new GrpcCallRecord("pkg.Svc", "Delete", 7, "sluice: call denied by rule no-delete", null, null,
                        0, 0, 0, 0, "no-delete", true));
    }

    @Test
    void requestsNoCallRuleDeniesAreRelayed() throws Exception {
        relayToMockOrigin(NO_DELETE, "get", "page");

        try (Response get = get("/pkg.Svc/Get"); Response page = get("/index.html")) {
            assertThat(get.body().string()).isEqualTo("get");
            assertThat(page.body().string()).isEqualTo("page");
        }

        assertThat(origin.getRequestCount()).isEqualTo(2);
    }

    @Test
    void aPairWithNoRequestForTheIdleTimeoutIsClosed() throws Exception {
        origin = TestOrigins.plain();
        resources.add(origin);
        harness = new BumpedRelayHarness(origin.getPort(), Duration.ofMillis(200));
        resources.add(harness);
        origin.enqueue(new MockResponse.Builder().body("once").build());

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /once HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("once");
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().error()).isNull();
        assertThat(observer.awaitClosed()).isEqualTo("idle_timeout");
    }

    @Test
    void onDrainAPairIdleBetweenRequestsIsClosedAtOnce() throws Exception {
        relayToMockOrigin("once");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /once HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("once");

            harness.clientChannel().pipeline().fireUserEventTriggered(Drain.EVENT);

            assertThat(client.closedByPeer()).as("closed by the drain, long before the idle timeout").isTrue();
        }
        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().error()).isNull();
        assertThat(observer.awaitClosed()).isNull();
    }

    @Test
    void onDrainAnExchangeUnderWayIsFinishedWithConnectionCloseThenThePairCloses() throws Exception {
        relayToMockOrigin();
        origin.enqueue(new MockResponse.Builder().body("late").headersDelay(1, java.util.concurrent.TimeUnit.SECONDS)
                .build());

        try (RawClient client = new RawClient(harness.address())) {
            client.send("GET /late HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            TestOrigins.take(origin);
            harness.clientChannel().pipeline().fireUserEventTriggered(Drain.EVENT);

            RawClient.Response response = client.read();
            assertThat(response.text()).isEqualTo("late");
            assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void aRequestHeadStalledPastTheRequestHeaderTimeoutIsAnswered408() throws Exception {
        origin = TestOrigins.plain();
        resources.add(origin);
        harness = new BumpedRelayHarness(origin.getPort(), IDLE, Duration.ofMillis(300), CallGate.ALLOW_ALL);
        resources.add(harness);

        try (RawClient client = new RawClient(harness.address())) {
            // A slowloris: the head begun, never finished.
            client.send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Drip: ");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("Proxy-Status")).contains("error=http_request_error");
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().error()).isEqualTo("request_header_timeout");
        assertThat(observer.awaitClosed()).isEqualTo("request_header_timeout");
        assertThat(origin.getRequestCount()).isZero();
    }

    @Test
    void aRequestBodyStalledPastTheIdleTimeoutIsAnswered408() throws Exception {
        origin = TestOrigins.plain();
        resources.add(origin);
        harness = new BumpedRelayHarness(origin.getPort(), Duration.ofMillis(300));
        resources.add(harness);

        try (RawClient client = new RawClient(harness.address())) {
            client.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nonly a part");
            RawClient.Response response = client.read();
            assertThat(response.status()).isEqualTo(408);
            assertThat(client.closedByPeer()).isTrue();
        }

        RecordingHttpObserver observer = harness.observer();
        assertThat(observer.take().error()).isEqualTo("request_body_timeout");
        assertThat(observer.awaitClosed()).isEqualTo("request_body_timeout");
    }

    @Test
    void aWebSocketSwitchesThePairToARawRelay() throws Exception {
        relayToMockOrigin();
        origin.enqueue(EchoingWebSocket.upgrade());
        WebSocketInbox inbox = new WebSocketInbox();

        WebSocket socket = client().newWebSocket(new Request.Builder().url(harness.url("/ws")).build(), inbox);
        assertThat(inbox.next()).isEqualTo("welcome");
        for (int i = 0; i < 5; i++) {
            socket.send("message " + i);
            assertThat(inbox.next()).isEqualTo("echo message " + i);
        }
        socket.send(ByteString.of(pattern(200_000, 3)));
        assertThat(inbox.next()).isEqualTo("bytes 200000");
        socket.close(1000, "done");
        inbox.awaitClosed();

        RecordedRequest seen = TestOrigins.take(origin);
        assertThat(seen.getHeaders().get("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(seen.getHeaders().get("Connection")).isEqualToIgnoringCase("upgrade");
        RecordingHttpObserver observer = harness.observer();
        HttpExchangeRecord exchange = observer.take();
        assertThat(exchange.status()).isEqualTo(101);
        assertThat(exchange.path()).isEqualTo("/ws");
        observer.awaitClosed();
        assertThat(observer.closedCalls.get()).as("closed once, by the raw relay").isEqualTo(1);
        assertThat(observer.closedUp()).as("frames relayed up").isGreaterThan(200_000);
        assertThat(observer.closedDown()).isEqualTo(observer.bytesDown.get());
        assertThat(observer.exchanges).as("one exchange: the upgrade").hasSize(1);
    }

    /** HTTP/2 in a bump goes through the HTTP/2 bridge (and its call rules), never a raw relay after a 101. */
    @Test
    void anUpgradeToH2cIsNotPassedOn() throws Exception {
        relayToMockOrigin("plain");

        try (Response response = client().newCall(new Request.Builder().url(harness.url("/pkg.Svc/Delete"))
                .header("Upgrade", "h2c").header("Connection", "Upgrade, HTTP2-Settings")
                .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA").build()).execute()) {
            assertThat(response.body().string()).isEqualTo("plain");
        }

        RecordedRequest seen = TestOrigins.take(origin);
        assertThat(seen.getHeaders().get("Upgrade")).isNull();
        assertThat(seen.getHeaders().get("HTTP2-Settings")).isNull();
    }

    @Test
    void aClientThatStopsReadingStopsTheRelayWithinItsBounds() throws Exception {
        int size = 32 * 1024 * 1024;
        relayTo(new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
            byte[] block = pattern(64 * 1024, 11);
            for (int sent = 0; sent < size; sent += block.length) {
                connection.out().write(block);
            }
            connection.out().flush();
            connection.awaitClosedByProxy();
        }));

        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(harness.address());
            client.setSoTimeout((int) BumpedRelayHarness.PATIENCE.toMillis());
            OutputStream out = client.getOutputStream();
            out.write("GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Channel relayed = harness.clientChannel();
            awaitNotWritable(relayed);

            for (int i = 0; i < 5; i++) {
                long pending = pendingWriteBytes(relayed);
                assertThat(pending).as("bytes the relay holds for a client that does not read")
                        .isLessThan(1024 * 1024);
                Thread.sleep(50);
            }

            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            byte[] body = in.readNBytes(size);
            assertThat(body).hasSize(size);
            byte[] block = pattern(64 * 1024, 11);
            for (int offset = 0; offset < size; offset += block.length) {
                assertThat(Arrays.equals(body, offset, offset + block.length, block, 0, block.length))
                        .as("block at %d intact", offset).isTrue();
            }
        }
    }

    @Test
    void aWholeRequestIsRecordedPerExchangeAndClosedOnceAtTheEnd() throws Exception {
        relayToMockOrigin("12345", "678");

        try (RawClient client = new RawClient(harness.address())) {
            client.send("POST /a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\nabcd");
            assertThat(client.read().text()).isEqualTo("12345");
            client.send("GET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.read().text()).isEqualTo("678");
        }

        RecordingHttpObserver observer = harness.observer();
        HttpExchangeRecord first = observer.take();
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.authority()).isEqualTo("127.0.0.1");
        assertThat(first.bytesUp()).isEqualTo(4);
        assertThat(first.bytesDown()).isEqualTo(5);
        assertThat(observer.take().bytesDown()).isEqualTo(3);
        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.closedUp()).isEqualTo(4);
        assertThat(observer.closedDown()).isEqualTo(8);
        assertThat(observer.closedCalls.get()).isEqualTo(1);
    }

    /** Relays to a MockWebServer that answers its first requests with {@code bodies}, in order. */
    private void relayToMockOrigin(String... bodies) throws InterruptedException {
        relayToMockOrigin(CallGate.ALLOW_ALL, bodies);
    }

    private void relayToMockOrigin(CallGate callGate, String... bodies) throws InterruptedException {
        origin = TestOrigins.plain();
        resources.add(origin);
        harness = new BumpedRelayHarness(origin.getPort(), IDLE, callGate);
        resources.add(harness);
        for (String body : bodies) {
            origin.enqueue(new MockResponse.Builder().body(body).build());
        }
    }

    private void relayTo(SocketOrigin socketOrigin) throws InterruptedException {
        resources.add(socketOrigin);
        harness = new BumpedRelayHarness(socketOrigin.port(), IDLE);
        resources.add(harness);
    }

    private OkHttpClient client() {
        if (okHttp == null) {
            okHttp = okHttpClients.create(builder -> builder);
        }
        return okHttp;
    }

    private Response get(String path) throws IOException {
        return client().newCall(new Request.Builder().url(harness.url(path)).build()).execute();
    }

    private String hostHeader() {
        return "127.0.0.1:" + harness.address().getPort();
    }

    private static void awaitNotWritable(Channel channel) throws InterruptedException {
        long deadline = System.nanoTime() + BumpedRelayHarness.PATIENCE.toNanos();
        while (channel.isWritable() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(channel.isWritable()).as("the client's socket filled up").isFalse();
    }

    private static long pendingWriteBytes(Channel channel) throws Exception {
        return channel.eventLoop().submit(() -> channel.unsafe().outboundBuffer() == null ? 0
                : channel.unsafe().outboundBuffer().totalPendingWriteBytes()).get();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("closed before a response head");
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
