package dev.sluice.e2e;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcAnyMethodServer;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The per-call view of gRPC inside a bump, end to end: grpc-java → a bumping Sluice → grpc-java TLS origins. Each
 * call's access-log line carries its {@code grpc_*} fields and {@code sluice_grpc_calls_total} counts it by service,
 * method and status name (a call without a status under {@code other}). Every test calls methods no other test
 * calls, so their lines and counts are its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcCallViewTest {
    private static final String VIEW = "sluice.test.View";
    /** Where calls without a status count: they never earn a method its own labels. */
    private static final String[] OTHER_NONE = {"service", "other", "method", "other", "code", "NONE"};

    private SluiceFixture sluice;
    private GrpcEchoServer echo;
    private GrpcAnyMethodServer any;
    private ManagedChannel echoChannel;
    private ManagedChannel anyChannel;

    @BeforeAll
    void start() {
        sluice = SluiceFixture.builder().tls().yaml("default: bump").start();
        echo = GrpcEchoServer.start();
        any = GrpcAnyMethodServer.start();
        echoChannel = GrpcChannels.throughProxy(sluice.proxyAddress(), echo.port(), sluice.ca().certificate());
        anyChannel = GrpcChannels.throughProxy(sluice.proxyAddress(), any.port(), sluice.ca().certificate());
        // Connected before any test, so that a short deadline is spent on the call, not on the bump.
        ClientCalls.blockingUnaryCall(anyChannel, GrpcAnyMethodServer.unary(VIEW, "Warmup"), GrpcCalls.options(),
                utf8("warm"));
    }

    @AfterAll
    void stop() throws InterruptedException {
        GrpcChannels.close(echoChannel);
        GrpcChannels.close(anyChannel);
        if (any != null) any.close();
        if (echo != null) echo.close();
        if (sluice != null) sluice.close();
    }

    /** The access-log line of the call to {@code service/method} on {@code port}, waiting for it. */
    private AccessLogLine callLine(int port, String service, String method) {
        String target = "https://" + TestOrigins.authority(port) + "/" + service + "/" + method;
        return sluice.awaitAccessLog(line -> target.equals(line.text("target")));
    }

    private void awaitCalls(String service, String method, String code) {
        sluice.awaitMetric(1, "sluice_grpc_calls_total", "service", service, "method", method, "code", code);
        sluice.awaitMetric(1, "sluice_grpc_call_duration_seconds_count", "service", service, "method", method);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOkCallIsLoggedWithItsServiceMethodStatusAndMessages() {
        GrpcCalls.unaryEchoes(echoChannel, "hello view");

        AccessLogLine line = callLine(echo.port(), GrpcEchoServer.SERVICE, "Echo");
        assertThat(line.text("action")).isEqualTo("bump");
        assertThat(line.text("protocol")).isEqualTo("h2");
        assertThat(line.number("status")).isEqualTo(200);
        assertThat(line.text("grpc_service")).isEqualTo(GrpcEchoServer.SERVICE);
        assertThat(line.text("grpc_method")).isEqualTo("Echo");
        assertThat(line.number("grpc_code")).isZero();
        assertThat(line.text("grpc_status")).isEqualTo("OK");
        assertThat(line.text("grpc_message")).isNull();
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_resp_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_req_bytes")).isEqualTo("hello view".length());
        assertThat(line.number("grpc_resp_bytes")).isEqualTo("hello view".length());
        assertThat(line.text("grpc_rule")).isNull();
        awaitCalls(GrpcEchoServer.SERVICE, "Echo", "OK");
        sluice.awaitMetric(1, "sluice_grpc_messages_total", "direction", "request");
    }

    @Test
    void aNotFoundAfterHeadersCarriesItsDecodedMessageIntoTheLog() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(anyChannel,
                GrpcAnyMethodServer.unary(VIEW, "StatusLookup"), GrpcCalls.options(), utf8("NOT_FOUND")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

        AccessLogLine line = callLine(any.port(), VIEW, "StatusLookup");
        assertThat(line.number("status")).isEqualTo(200);
        assertThat(line.number("grpc_code")).isEqualTo(5);
        assertThat(line.text("grpc_status")).isEqualTo("NOT_FOUND");
        assertThat(line.text("grpc_message")).as("percent-decoded, and escaped in the JSON line")
                .isEqualTo(GrpcAnyMethodServer.STATUS_DESCRIPTION);
        assertThat(line.fields()).doesNotContainKey("forged");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_resp_msgs")).isZero();
        awaitCalls(VIEW, "StatusLookup", "NOT_FOUND");
    }

    @Test
    void aDeadlineExceededStatusFromTheServerIsCountedByName() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(anyChannel,
                GrpcAnyMethodServer.unary(VIEW, "StatusSlowBackend"), GrpcCalls.options(), utf8("DEADLINE_EXCEEDED")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        AccessLogLine line = callLine(any.port(), VIEW, "StatusSlowBackend");
        assertThat(line.number("grpc_code")).isEqualTo(4);
        assertThat(line.text("grpc_status")).isEqualTo("DEADLINE_EXCEEDED");
        awaitCalls(VIEW, "StatusSlowBackend", "DEADLINE_EXCEEDED");
    }

    @Test
    void aClientDeadlineThatExpiresEndsTheCallWithoutAStatusOrWithTheServersDeadlineExceeded() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(anyChannel,
                GrpcAnyMethodServer.unary(VIEW, "HangDeadline"),
                CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS), utf8("wait")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        // The client resets the stream when its deadline passes; the server, which got grpc-timeout, may answer
        // DEADLINE_EXCEEDED first. Either way the line is there and says which.
        AccessLogLine line = callLine(any.port(), VIEW, "HangDeadline");
        assertThat(line.text("grpc_status")).isIn("NONE", "DEADLINE_EXCEEDED");
        if (line.text("grpc_status").equals("NONE")) {
            assertThat(line.fields()).doesNotContainKey("grpc_code");
            assertThat(line.text("error")).isIn("client_reset", "upstream_reset");
            sluice.awaitMetric(1, "sluice_grpc_calls_total", OTHER_NONE);
        } else {
            awaitCalls(VIEW, "HangDeadline", "DEADLINE_EXCEEDED");
        }
    }

    @Test
    void aCallTheClientCancelsIsLoggedWithoutAStatus() throws Exception {
        double unlabelled = sluice.metrics().value("sluice_grpc_calls_total", OTHER_NONE);
        ListenableFuture<byte[]> reply = ClientCalls.futureUnaryCall(
                anyChannel.newCall(GrpcAnyMethodServer.unary(VIEW, "HangCancelled"), GrpcCalls.options()), utf8("x"));
        assertThat(any.awaitHang(SluiceFixture.PATIENCE)).as("the call reached the server").isTrue();

        reply.cancel(true);

        AccessLogLine line = callLine(any.port(), VIEW, "HangCancelled");
        assertThat(line.text("error")).isEqualTo("client_reset");
        assertThat(line.text("grpc_status")).isEqualTo("NONE");
        assertThat(line.fields()).doesNotContainKey("grpc_code");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_resp_msgs")).isZero();
        sluice.awaitMetric(unlabelled + 1, "sluice_grpc_calls_total", OTHER_NONE);
        assertThat(sluice.metrics().labelSets("sluice_grpc_calls_total", "service", "method"))
                .doesNotContain(Map.of("service", VIEW, "method", "HangCancelled"));
    }

    @Test
    void aTrailersOnlyErrorIsLoggedWithItsStatus() {
        // grpc-java answers trailers-only when the server fails a call before sending any message
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(echoChannel, GrpcEchoServer.FAIL, GrpcCalls.options(),
                utf8("PERMISSION_DENIED")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        AccessLogLine line = callLine(echo.port(), GrpcEchoServer.SERVICE, "Fail");
        assertThat(line.number("status")).isEqualTo(200);
        assertThat(line.number("bytes_down")).as("no DATA").isZero();
        assertThat(line.number("grpc_code")).isEqualTo(7);
        assertThat(line.text("grpc_status")).isEqualTo("PERMISSION_DENIED");
        assertThat(line.text("grpc_message")).isEqualTo(GrpcEchoServer.FAIL_DESCRIPTION);
        assertThat(line.number("grpc_resp_msgs")).isZero();
        assertThat(line.text("grpc_rule")).as("the origin denied it, not a rule").isNull();
        awaitCalls(GrpcEchoServer.SERVICE, "Fail", "PERMISSION_DENIED");
    }

    @Test
    void gzipMessagesAreCountedWithTheirEncodingEachWay() {
        byte[] request = new byte[10_000];
        Arrays.fill(request, (byte) 'z');

        byte[] reply = ClientCalls.blockingUnaryCall(anyChannel, GrpcAnyMethodServer.unary(VIEW, "GzipEcho"),
                GrpcCalls.options().withCompression("gzip"), request);

        assertThat(reply).isEqualTo(request);
        AccessLogLine line = callLine(any.port(), VIEW, "GzipEcho");
        assertThat(line.text("grpc_req_encoding")).isEqualTo("gzip");
        assertThat(line.text("grpc_resp_encoding")).isEqualTo("gzip");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_resp_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_req_bytes")).as("compressed bytes, as they crossed").isBetween(1L, 9_999L);
        assertThat(line.number("grpc_resp_bytes")).isBetween(1L, 9_999L);
        awaitCalls(VIEW, "GzipEcho", "OK");
    }

    @Test
    void serverStreamedMessagesAreCounted() {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(echoChannel, GrpcEchoServer.COUNT,
                GrpcCalls.options(), intMessage(250));
        int count = 0;
        while (replies.hasNext()) {
            replies.next();
            count++;
        }
        assertThat(count).isEqualTo(250);

        AccessLogLine line = callLine(echo.port(), GrpcEchoServer.SERVICE, "Count");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1);
        assertThat(line.number("grpc_resp_msgs")).isEqualTo(250);
        assertThat(line.number("grpc_resp_bytes")).isEqualTo(250 * 4);
        assertThat(line.text("grpc_status")).isEqualTo("OK");
        awaitCalls(GrpcEchoServer.SERVICE, "Count", "OK");
    }

    @Test
    void clientStreamedMessagesAreCounted() throws Exception {
        GrpcCalls.clientStreamIsTallied(echoChannel);

        AccessLogLine line = callLine(echo.port(), GrpcEchoServer.SERVICE, "Tally");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(1000);
        assertThat(line.number("grpc_req_bytes")).isEqualTo(1000 * 100);
        assertThat(line.number("grpc_resp_msgs")).isEqualTo(1);
        assertThat(line.text("grpc_status")).isEqualTo("OK");
        awaitCalls(GrpcEchoServer.SERVICE, "Tally", "OK");
    }

    @Test
    void bidiMessagesAreCountedBothWays() throws Exception {
        GrpcCalls.bidiPingPongs(echoChannel);

        AccessLogLine line = callLine(echo.port(), GrpcEchoServer.SERVICE, "PingPong");
        assertThat(line.number("grpc_req_msgs")).isEqualTo(200);
        assertThat(line.number("grpc_resp_msgs")).isEqualTo(200);
        awaitCalls(GrpcEchoServer.SERVICE, "PingPong", "OK");
    }
}
