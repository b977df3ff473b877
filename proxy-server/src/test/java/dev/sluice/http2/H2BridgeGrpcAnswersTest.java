package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.Action;
import dev.sluice.grpc.CallGate;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.policy.Decision;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.RecordingHttpObserver;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the bridge itself answers a gRPC call, frame by frame (OkHttp shows the response head, body and trailers as
 * they came): {@code PERMISSION_DENIED} for a call a call rule denies, and {@code UNAVAILABLE} when the upstream fails
 * the call, as a trailers-only response before any response head and as trailers after one. Resets gRPC gives a
 * meaning of its own, and every reset of a request that is not gRPC, pass as they came.
 */
class H2BridgeGrpcAnswersTest {
    private static final MediaType GRPC = MediaType.get("application/grpc");
    /** One empty length-prefixed gRPC message. */
    private static final byte[] EMPTY_MESSAGE = new byte[5];

    /** Request streams the origin got and left open, for the test to act on. */
    private final BlockingQueue<Http2StreamChannel> held = new LinkedBlockingQueue<>();
    private ScriptedH2Origin origin;
    private BridgeHarness bridge;
    /** One client, so a test's calls share one connection. */
    private OkHttpClient client;

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @Test
    void anUpstreamResetBeforeTheResponseHeadIsAnsweredTrailersOnlyWithUnavailable() throws Exception {
        start(CallGate.ALLOW_ALL, (stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)));

        try (Response response = call("/pkg.Svc/Get", GRPC)) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("content-type")).isEqualTo("application/grpc");
            assertThat(response.header("grpc-status")).isEqualTo("14");
            assertThat(response.header("grpc-message"))
                    .isEqualTo("sluice: upstream reset the stream (INTERNAL_ERROR)");
            assertThat(response.body().bytes()).isEmpty();
        }

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.error()).isEqualTo("upstream_reset");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.grpc()).isEqualTo(new GrpcCallRecord("pkg.Svc", "Get", 14,
                "sluice: upstream reset the stream (INTERNAL_ERROR)", null, null, 1, 0, 0, 0, null, true));
    }

    @Test
    void anUpstreamResetAfterTheResponseHeadEndsTheCallWithUnavailableTrailers() throws Exception {
        start(CallGate.ALLOW_ALL, this::headAndOneMessageThenHold);

        try (Response response = call("/pkg.Svc/Watch", GRPC)) {
            assertThat(response.header("grpc-status")).as("no status in the head").isNull();
            nextHeld().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));

            assertThat(response.body().bytes()).isEqualTo(oneMessage());
            assertThat(response.trailers().get("grpc-status")).isEqualTo("14");
            assertThat(response.trailers().get("grpc-message"))
                    .isEqualTo("sluice: upstream reset the stream (INTERNAL_ERROR)");
        }

        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("upstream_reset");
    }

    @Test
    void whenTheUpstreamConnectionDiesAnOpenCallGetsUnavailableAndTheClientConnectionThenCloses() throws Exception {
        start(CallGate.ALLOW_ALL, (stream, head) -> stream.parent().close());

        try (Response response = call("/pkg.Svc/Get", GRPC)) {
            assertThat(response.header("grpc-status")).isEqualTo("14");
            assertThat(response.header("grpc-message")).isEqualTo("sluice: upstream connection closed");
        }

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("upstream_reset");
        assertThat(observer.exchanges).singleElement()
                .satisfies(exchange -> assertThat(exchange.error()).isEqualTo("upstream_closed"));
    }

    @Test
    void anUpstreamConnectionDyingAfterTheResponseHeadEndsTheCallWithUnavailableTrailers() throws Exception {
        start(CallGate.ALLOW_ALL, this::headAndOneMessageThenHold);

        try (Response response = call("/pkg.Svc/Watch", GRPC)) {
            nextHeld().parent().close();

            assertThat(response.body().bytes()).isEqualTo(oneMessage());
            assertThat(response.trailers().get("grpc-status")).isEqualTo("14");
            assertThat(response.trailers().get("grpc-message")).isEqualTo("sluice: upstream connection closed");
        }

        assertThat(bridge.onlyObserver().awaitClosed()).isEqualTo("upstream_reset");
    }

    /**
     * grpc-go ends a call it answered before the client's request ended with RST_STREAM(NO_ERROR) (RFC 9113 §8.1):
     * the exchange completed, and the origin's own UNAVAILABLE is not Sluice's.
     */
    @Test
    void anUpstreamNoErrorResetAfterTheWholeResponseIsNoError() throws Exception {
        start(CallGate.ALLOW_ALL, (stream, head) -> {
            stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .set("content-type", "application/grpc").set("grpc-status", "14")
                    .set("grpc-message", "origin down"), true));
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        });

        try (RawH2Client raw = new RawH2Client(bridge.port())) {
            Http2Headers response = raw.requestWithoutEnd(new DefaultHttp2Headers().method("POST").scheme("http")
                    .path("/pkg.Svc/Watch").authority("127.0.0.1").set("content-type", "application/grpc"));
            assertThat(response.get("grpc-status").toString()).isEqualTo("14");
        }

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.error()).isNull();
        assertThat(exchange.grpc().code()).isEqualTo(14);
        assertThat(exchange.grpc().message()).isEqualTo("origin down");
        assertThat(exchange.grpc().bySluice()).as("the origin's status").isFalse();
    }

    @Test
    void anUpstreamCancelIsPassedOnAsItCame() throws Exception {
        start(CallGate.ALLOW_ALL, (stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)));

        assertThatThrownBy(() -> call("/pkg.Svc/Get", GRPC).close())
                .isInstanceOfSatisfying(StreamResetException.class,
                        e -> assertThat(e.errorCode).isEqualTo(ErrorCode.CANCEL));
        // the call ended without a status: the view has none to report, and Sluice added none
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).grpc().code()).isEqualTo(-1);
    }

    @Test
    void aRequestThatIsNoGrpcCallGetsTheUpstreamsResetAsItCame() throws Exception {
        start(CallGate.ALLOW_ALL, (stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)));

        assertThatThrownBy(() -> call("/pkg.Svc/Get", MediaType.get("application/json")).close())
                .isInstanceOfSatisfying(StreamResetException.class,
                        e -> assertThat(e.errorCode).isEqualTo(ErrorCode.INTERNAL_ERROR));
    }

    @Test
    void aDeniedCallIsAnsweredPermissionDeniedAndNeverReachesTheOriginWhileOthersOnTheConnectionDo()
            throws Exception {
        CallGate noDelete = (service, method) -> method.equals("Delete") ? deny("r\u00e8gle-100%")
                : CallGate.ALLOW_ALL.decide(service, method);
        start(noDelete, (stream, head) -> {
            held.add(stream);
            ScriptedH2Origin.respondGrpc(stream, "ok".getBytes(StandardCharsets.UTF_8));
        });

        try (Response denied = call("/pkg.Svc/Delete", GRPC)) {
            assertThat(denied.code()).isEqualTo(200);
            assertThat(denied.header("content-type")).isEqualTo("application/grpc");
            assertThat(denied.header("grpc-status")).isEqualTo("7");
            assertThat(denied.header("grpc-message")).isEqualTo("sluice: call denied by rule r%C3%A8gle-100%25");
            assertThat(denied.body().bytes()).isEmpty();
        }
        try (Response allowed = call("/pkg.Svc/Get", GRPC)) {
            allowed.body().bytes();
            assertThat(allowed.trailers().get("grpc-status")).isEqualTo("0");
        }

        assertThat(held).as("requests the origin got").hasSize(1);
        RecordingHttpObserver observer = bridge.onlyObserver();
        HttpExchangeRecord denial = observer.awaitExchanges(2).get(0);
        assertThat(denial.path()).isEqualTo("/pkg.Svc/Delete");
        assertThat(denial.error()).isEqualTo("grpc_denied");
        assertThat(denial.status()).isEqualTo(200);
        assertThat(denial.grpc().code()).isEqualTo(7);
        assertThat(denial.grpc().rule()).isEqualTo("r\u00e8gle-100%");
        assertThat(observer.exchanges.get(1).error()).isNull();
        assertThat(observer.streamsOpened).as("streams bridged to the origin").hasValue(1);
    }

    @Test
    void aRequestOfAnotherKindWhosePathARuleDeniesIsAnswered403NamingTheRuleAndNeverReachesTheOrigin()
            throws Exception {
        start((service, method) -> deny("no-get"), (stream, head) -> {
            held.add(stream);
            ScriptedH2Origin.respond(stream, "origin");
        });

        try (Response connect = call("/pkg.Svc/Get", MediaType.get("application/json"))) {
            assertThat(connect.code()).isEqualTo(403);
            assertThat(connect.header("proxy-status"))
                    .isEqualTo("sluice; error=http_request_denied; details=\"sluice: call denied by rule no-get\"");
            assertThat(connect.header("grpc-status")).isNull();
            assertThat(connect.body().bytes()).isEmpty();
        }

        assertThat(held).as("requests the origin got").isEmpty();
        HttpExchangeRecord denial = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(denial.status()).isEqualTo(403);
        assertThat(denial.error()).isEqualTo("grpc_denied");
        assertThat(denial.grpc()).as("the denial, for the log line and the denial count").isEqualTo(new GrpcCallRecord(
                "pkg.Svc", "Get", 7, "sluice: call denied by rule no-get", null, null, 0, 0, 0, 0, "no-get", true));
    }

    @Test
    void onlyRequestsWhosePathNamesAServiceAndMethodAreCallGated() throws Exception {
        start((service, method) -> deny("everything"), (stream, head) -> ScriptedH2Origin.respond(stream, "origin"));

        try (Response unnamed = call("/pkg.Svc", GRPC);
             Response page = client.newCall(new Request.Builder().url(bridge.url("/index.html")).build()).execute()) {
            assertThat(unnamed.body().string()).isEqualTo("origin");
            assertThat(page.body().string()).isEqualTo("origin");
        }
        assertThat(bridge.onlyObserver().awaitExchanges(2)).allSatisfy(exchange -> {
            assertThat(exchange.error()).isNull();
            assertThat(exchange.grpc() == null || exchange.grpc().rule() == null).isTrue();
        });
    }

    private static Decision deny(String rule) {
        return new Decision(Action.DENY, rule, "matched rule " + rule, List.of());
    }

    /** Answers a response head and one message, then holds the stream open for the test. */
    private void headAndOneMessageThenHold(Http2StreamChannel stream, Http2HeadersFrame head) {
        stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                .set("content-type", "application/grpc")));
        stream.writeAndFlush(new DefaultHttp2DataFrame(stream.alloc().buffer().writeBytes(oneMessage())));
        held.add(stream);
    }

    private static byte[] oneMessage() {
        return new byte[] {0, 0, 0, 0, 2, 'h', 'i'};
    }

    private Http2StreamChannel nextHeld() throws InterruptedException {
        Http2StreamChannel stream = held.poll(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(stream).as("a request reached the origin").isNotNull();
        return stream;
    }

    private void start(CallGate gate, ScriptedH2Origin.Script script) throws Exception {
        origin = new ScriptedH2Origin(new Http2Settings(), script);
        bridge = BridgeHarness.cleartext(origin.port(), gate);
        client = bridge.okHttp();
    }

    private Response call(String path, MediaType contentType) throws IOException {
        return client.newCall(new Request.Builder().url(bridge.url(path))
                .post(RequestBody.create(EMPTY_MESSAGE, contentType)).build()).execute();
    }
}
