package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Call rules ({@code match.grpc}, {@code allow}/{@code deny}) decide single gRPC calls inside a bump: grpc-java
 * through a real Sluice to a grpc-java TLS origin that counts the calls it gets. A denied call is answered
 * {@code PERMISSION_DENIED} by Sluice, naming the rule, and never reaches the origin; the connection and its other
 * calls carry on. A request of another protocol (Connect, gRPC-Web over HTTP/1.1) whose path names a denied call is
 * answered {@code 403}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcCallPolicyTest {
    private SluiceFixture sluice;
    private GrpcEchoServer origin;
    private ManagedChannel channel;

    @BeforeAll
    void start() {
        sluice = SluiceFixture.builder().tls().yaml("""
                rules:
                  - name: allow-count
                    match: {grpc: {service: sluice.test.Echo, method: Count}}
                    action: allow
                  - name: no-n-methods
                    match: {grpc: {method: "*n*"}}
                    action: deny
                  - name: no-fail-in-any-echo
                    match: {grpc: {service: "*.Echo", method: Fail}}
                    action: deny
                  - name: no-other-services
                    match: {grpc: {service: "other.*"}}
                    action: deny
                default: bump
                """).start();
        origin = GrpcEchoServer.start();
        channel = newChannel();
    }

    @AfterAll
    void stop() throws InterruptedException {
        GrpcChannels.close(channel);
        if (origin != null) origin.close();
        if (sluice != null) sluice.close();
    }

    @Test
    void aDeniedMethodGetsPermissionDeniedNamingTheRuleAndNeverReachesTheOrigin() {
        assertDenied(channel, GrpcEchoServer.HANG, "no-n-methods");

        assertThat(origin.calls(GrpcEchoServer.HANG)).isZero();
    }

    @Test
    void aMethodGlobDeniesAStreamingCallBeforeItsFirstMessage() throws Exception {
        GrpcCalls.Replies pongs = new GrpcCalls.Replies();
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
        pings.onNext(GrpcEchoServer.intMessage(1));

        Status status = pongs.awaitFailure();
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("sluice: call denied by rule no-n-methods");
        assertThat(pongs.waiting()).isZero();
        assertThat(origin.calls(GrpcEchoServer.PING_PONG)).isZero();
    }

    @Test
    void aServiceGlobDeniesTheMethodItNames() {
        assertDenied(channel, GrpcEchoServer.FAIL, "no-fail-in-any-echo");

        assertThat(origin.calls(GrpcEchoServer.FAIL)).isZero();
    }

    /** grpc-dotnet routes names regardless of case: a deny holds for every spelling of the call. */
    @Test
    void aCallSpelledInAnotherCaseIsDeniedAsWell() {
        assertDenied(channel, GrpcEchoServer.method("SLUICE.TEST.ECHO", "fail", MethodDescriptor.MethodType.UNARY),
                "no-fail-in-any-echo");
    }

    @Test
    void anAllowRuleBeforeABroaderDenyLetsItsMethodThrough() {
        GrpcCalls.serverStreamsInOrder(channel, 100);

        assertThat(origin.calls(GrpcEchoServer.COUNT)).isPositive();
    }

    @Test
    void methodsNoRuleDeniesAreAllowed() throws Exception {
        GrpcCalls.unaryEchoes(channel, "not denied");
        GrpcCalls.clientStreamIsTallied(channel);
    }

    @Test
    void callsOnTheConnectionOfADeniedCallKeepWorking() throws Exception {
        double bumpsBefore = sluice.metrics().value("sluice_connections_total", "kind", "bump");
        ManagedChannel own = newChannel();
        try {
            GrpcCalls.unaryEchoes(own, "before");
            assertDenied(own, GrpcEchoServer.HANG, "no-n-methods");
            GrpcCalls.unaryEchoes(own, "between");
            assertDenied(own, GrpcEchoServer.FAIL, "no-fail-in-any-echo");
            GrpcCalls.serverStreamsInOrder(own, 10);
        } finally {
            GrpcChannels.close(own);
        }

        assertThat(sluice.metrics().value("sluice_connections_total", "kind", "bump") - bumpsBefore)
                .as("bumped connections the channel used").isEqualTo(1);
    }

    @Test
    void theDenialIsLoggedWithItsRuleAndCounted() {
        assertDenied(channel, GrpcEchoServer.HANG, "no-n-methods");

        String target = "https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Echo/Hang";
        assertDenialLogged(target, 200, "h2");
        sluice.awaitMetric(1, "sluice_grpc_denied_total", "rule", "no-n-methods");
        // Sluice's own answer never earns a method labels of its own in the per-call view
        sluice.awaitMetric(1, "sluice_grpc_calls_total", "service", "other", "method", "other", "code",
                "PERMISSION_DENIED");
        assertThat(sluice.metrics().labelSets("sluice_grpc_calls_total", "service", "method"))
                .doesNotContain(Map.of("service", "sluice.test.Echo", "method", "Hang"));
    }

    /** Connect clients, say, reach the same handlers on the same path as gRPC: call rules gate them alike. */
    @Test
    void aRequestOfAnotherProtocolForADeniedMethodIsForbiddenAndNeverReachesTheOrigin() throws Exception {
        String target = "https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Echo/Hang";
        Request request = new Request.Builder().url(target)
                .post(RequestBody.create(new byte[] {1}, MediaType.get("application/proto")))
                .build();

        try (Response response = sluice.okHttp().newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(403);
            assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
            assertThat(response.header("Proxy-Status")).isEqualTo(
                    "sluice; error=http_request_denied; details=\"sluice: call denied by rule no-n-methods\"");
        }

        assertThat(origin.calls(GrpcEchoServer.HANG)).isZero();
        assertDenialLogged(target, 403, "h2");
    }

    /** gRPC-Web clients speak HTTP/1.1 too: a bumped HTTP/1.1 request is gated by its path as well. */
    @Test
    void aDeniedCallOverHttp11IsForbiddenLoggedAndCountedAndNeverReachesTheOrigin() throws Exception {
        OkHttpClient http11 = sluice.track(sluice.okHttpBuilder().protocols(List.of(Protocol.HTTP_1_1)).build());
        try (MockWebServer web = TestOrigins.https(Protocol.HTTP_1_1)) {
            web.enqueue(new MockResponse.Builder().body("must not be served").build());
            String target = TestOrigins.url("https", web, "/sluice.test.Echo/Hang");
            Request request = new Request.Builder().url(target)
                    .post(RequestBody.create(new byte[5], MediaType.get("application/grpc-web+proto"))).build();
            double deniedBefore = sluice.metrics().value("sluice_grpc_denied_total", "rule", "no-n-methods");

            try (Response response = http11.newCall(request).execute()) {
                assertThat(response.code()).isEqualTo(403);
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
                assertThat(response.header("Proxy-Status")).contains("no-n-methods");
            }

            assertThat(web.getRequestCount()).isZero();
            assertDenialLogged(target, 403, "http/1.1");
            sluice.awaitMetric(deniedBefore + 1, "sluice_grpc_denied_total", "rule", "no-n-methods");
        }
    }

    @Test
    void aRequestWhosePathNoCallRuleMatchesReachesTheOrigin() throws Exception {
        Request request = new Request.Builder()
                .url("https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Echo/Echo")
                .post(RequestBody.create(new byte[5], MediaType.get("application/octet-stream")))
                .build();

        try (Response response = sluice.okHttp().newCall(request).execute()) {
            // grpc-java itself refuses a request that is not gRPC: the request reached it
            assertThat(response.code()).isEqualTo(415);
        }
    }

    /** The access-log line of the request to {@code target} answered {@code status}: a denial by no-n-methods. */
    private void assertDenialLogged(String target, int status, String protocol) {
        AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")) && l.number("status") == status);
        assertThat(line.text("action")).isEqualTo("deny");
        assertThat(line.text("rule")).isEqualTo("no-n-methods");
        assertThat(line.text("error")).isEqualTo("grpc_denied");
        assertThat(line.text("protocol")).isEqualTo(protocol);
    }

    private ManagedChannel newChannel() {
        return GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(), sluice.ca().certificate());
    }

    private static void assertDenied(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, String rule) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, method, GrpcCalls.options(), new byte[] {1}))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("sluice: call denied by rule " + rule);
                });
    }
}
