package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.grpc.CallGate;
import dev.sluice.policy.Decision;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A call a call rule denies stays denied however the client dresses it up, as long as some origin would still serve
 * it as that call: a path that normalizes to it, a gRPC content type after another one, gRPC-Web, another protocol on
 * the same path (Connect) or no content type at all. The origin here counts every request that reaches it, whatever
 * its shape.
 */
class H2BridgeCallGateEvasionTest {
    private static final byte[] EMPTY_MESSAGE = new byte[5];
    private static final CallGate NO_DELETE = (service, method) -> service.equals("pkg.Svc") && method.equals("Delete")
            ? new Decision(Action.DENY, "no-delete", "matched rule no-delete", List.of())
            : CallGate.ALLOW_ALL.decide(service, method);

    private final AtomicInteger reached = new AtomicInteger();
    private ScriptedH2Origin origin;
    private BridgeHarness bridge;
    private OkHttpClient client;

    @BeforeEach
    void start() throws Exception {
        origin = new ScriptedH2Origin(new Http2Settings(), (stream, head) -> {
            reached.incrementAndGet();
            ScriptedH2Origin.respondGrpc(stream, new byte[0]);
        });
        bridge = BridgeHarness.cleartext(origin.port(), NO_DELETE);
        client = bridge.okHttp();
    }

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/pkg.Svc/%44elete", "/pkg.Svc/Delete?x=1", "//pkg.Svc//Delete", "/pkg.Svc/Delete/",
            "/prefix/pkg.Svc/Delete"})
    void aPathThatNormalizesToADeniedMethodIsDenied(String path) throws Exception {
        assertDenied(request(path).post(RequestBody.create(EMPTY_MESSAGE, MediaType.get("application/grpc"))));
    }

    @Test
    void aGrpcContentTypeBehindAnotherOneIsDenied() throws Exception {
        assertDenied(request("/pkg.Svc/Delete").post(RequestBody.create(EMPTY_MESSAGE, null))
                .addHeader("content-type", "application/json").addHeader("content-type", "application/grpc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/grpc-web", "application/grpc-web+proto", "application/grpc-web-text"})
    void aGrpcWebCallIsDenied(String contentType) throws Exception {
        assertDenied(request("/pkg.Svc/Delete").post(RequestBody.create(EMPTY_MESSAGE, MediaType.get(contentType))));
    }

    /** connect-go serves the Connect protocol, and gRPC-Web over other types, on the same paths as gRPC. */
    @ParameterizedTest
    @ValueSource(strings = {"application/proto", "application/json", "application/connect+proto",
            "application/connect+json", "application/octet-stream"})
    void aRequestOfAnotherContentTypeForADeniedMethodIsForbidden(String contentType) throws Exception {
        try (Response response = client.newCall(request("/pkg.Svc/Delete")
                .post(RequestBody.create(EMPTY_MESSAGE, MediaType.get(contentType))).build()).execute()) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(response.header("proxy-status")).contains("no-delete");
        }
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("grpc_denied");
        assertThat(reached).as("requests the origin got").hasValue(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/pkg.Svc/%44elete", "//pkg.Svc//Delete?x=1", "/prefix/pkg.Svc/Delete/"})
    void aGetWhosePathNormalizesToADeniedMethodIsForbidden(String path) throws Exception {
        try (Response response = client.newCall(request(path).build()).execute()) {
            assertThat(response.code()).isEqualTo(403);
        }
        assertThat(reached).as("requests the origin got").hasValue(0);
    }

    @Test
    void anAllowedCallStillReachesTheOrigin() throws Exception {
        try (Response response = client.newCall(request("/pkg.Svc/Get")
                .post(RequestBody.create(EMPTY_MESSAGE, MediaType.get("application/grpc"))).build()).execute()) {
            response.body().bytes();
            assertThat(response.trailers().get("grpc-status")).isEqualTo("0");
        }
        assertThat(reached).hasValue(1);
    }

    private Request.Builder request(String path) {
        return new Request.Builder().url(bridge.url(path));
    }

    private void assertDenied(Request.Builder request) throws Exception {
        try (Response response = client.newCall(request.build()).execute()) {
            assertThat(response.header("grpc-status")).isEqualTo("7");
            assertThat(response.header("grpc-message")).isEqualTo("sluice: call denied by rule no-delete");
        }
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("grpc_denied");
        assertThat(reached).as("requests the origin got").hasValue(0);
    }
}
