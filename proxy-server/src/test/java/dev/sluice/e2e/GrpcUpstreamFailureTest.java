package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.http2.ScriptedH2Origin;
import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When the upstream fails a gRPC call inside a bump, grpc-java reads UNAVAILABLE with Sluice's reason, whether the
 * call had its response head yet or not: the origin's connection dies mid-call (cut by a TCP forwarder in front of a
 * real grpc-java origin), or a scripted origin resets the stream. A stream the origin refused is passed on as
 * REFUSED_STREAM, which grpc-java retries by itself.
 */
class GrpcUpstreamFailureTest {
    private static final MethodDescriptor<byte[], byte[]> DRAINING =
            GrpcEchoServer.method("sluice.test.Draining", "Watch", MethodDescriptor.MethodType.BIDI_STREAMING);

    private static SluiceFixture sluice;
    private ManagedChannel channel;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().tls().yaml("default: bump").start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void anOriginConnectionCutBeforeTheResponseHeadFailsTheCallUnavailable() throws Exception {
        try (GrpcEchoServer origin = GrpcEchoServer.start(); SocketOrigin forwarder = forwarderTo(origin.port())) {
            channel = channelTo(forwarder.port());
            GrpcCalls.Replies reply = new GrpcCalls.Replies();
            ClientCalls.asyncUnaryCall(channel.newCall(GrpcEchoServer.HANG, GrpcCalls.options()), new byte[1], reply);
            assertThat(origin.awaitHang(SluiceFixture.PATIENCE)).as("the call reached the origin").isTrue();

            forwarder.close();

            assertUnavailable(reply.awaitFailure(), "sluice: upstream connection closed");
        }
        sluice.awaitMetric(1, "sluice_grpc_unavailable_total", "reason", "upstream_closed");
    }

    @Test
    void anOriginConnectionCutMidStreamEndsTheCallUnavailable() throws Exception {
        try (GrpcEchoServer origin = GrpcEchoServer.start(); SocketOrigin forwarder = forwarderTo(origin.port())) {
            channel = channelTo(forwarder.port());
            GrpcCalls.Replies pongs = new GrpcCalls.Replies();
            StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                    channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
            pings.onNext(GrpcEchoServer.intMessage(7));
            assertThat(GrpcEchoServer.intOf(pongs.next())).as("a pong: the response head was relayed").isEqualTo(7);

            forwarder.close();

            assertUnavailable(pongs.awaitFailure(), "sluice: upstream connection closed");
        }
    }

    @Test
    void anOriginResetBeforeTheResponseHeadFailsTheCallUnavailableNamingTheCode() throws Exception {
        try (ScriptedH2Origin origin = ScriptedH2Origin.tls((stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)))) {
            channel = channelTo(origin.port());

            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                    new byte[1]))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertUnavailable(e.getStatus(),
                            "sluice: upstream reset the stream (INTERNAL_ERROR)"));

            String target = "https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Echo/Echo";
            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.text("error")).isEqualTo("upstream_reset");
            assertThat(line.number("status")).isEqualTo(200);
            sluice.awaitMetric(1, "sluice_grpc_unavailable_total", "reason", "upstream_reset");
        }
    }

    /**
     * grpc-go answers a call it will not take before the client's request ended, then resets the stream with
     * NO_ERROR (RFC 9113 §8.1): the client reads the origin's own UNAVAILABLE, which is not one of Sluice's, and the
     * exchange completed. Any other reset after the whole response is logged, but the status is still the origin's.
     */
    @ParameterizedTest
    @CsvSource({"NO_ERROR,", "INTERNAL_ERROR, upstream_reset"})
    void anOriginsOwnUnavailableFollowedByAResetIsNotCountedAsSluices(Http2Error reset, String error)
            throws Exception {
        try (ScriptedH2Origin origin = ScriptedH2Origin.tls((stream, head) -> {
            stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                    .set("content-type", "application/grpc").set("grpc-status", "14")
                    .set("grpc-message", "origin draining"), true));
            stream.writeAndFlush(new DefaultHttp2ResetFrame(reset));
        })) {
            channel = channelTo(origin.port());
            double sluiceAnswersBefore = sluice.metrics().value("sluice_grpc_unavailable_total");
            double callsBefore = sluice.metrics().value("sluice_grpc_calls_total", "service", "sluice.test.Draining");
            GrpcCalls.Replies replies = new GrpcCalls.Replies();
            ClientCalls.asyncBidiStreamingCall(channel.newCall(DRAINING, GrpcCalls.options()), replies)
                    .onNext(new byte[1]);

            assertUnavailable(replies.awaitFailure(), "origin draining");

            String target = "https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Draining/Watch";
            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.text("error")).isEqualTo(error);
            // counted after the unavailable counter would have been, on the same event loop
            sluice.awaitMetric(callsBefore + 1, "sluice_grpc_calls_total", "service", "sluice.test.Draining");
            assertThat(sluice.metrics().value("sluice_grpc_unavailable_total")).isEqualTo(sluiceAnswersBefore);
        }
    }

    @Test
    void aStreamTheOriginRefusedIsRetriedByTheClient() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ScriptedH2Origin origin = ScriptedH2Origin.tls((stream, head) -> {
            if (requests.getAndIncrement() == 0) {
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            } else {
                ScriptedH2Origin.respondGrpc(stream, "second try".getBytes(StandardCharsets.UTF_8));
            }
        })) {
            channel = channelTo(origin.port());

            byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                    new byte[1]);

            assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("second try");
            assertThat(requests).hasValue(2);
        }
    }

    private static ManagedChannel channelTo(int port) {
        return GrpcChannels.throughProxy(sluice.proxyAddress(), port, sluice.ca().certificate());
    }

    /**
     * A TCP forwarder on loopback to {@code port}: Sluice reaches the origin through it, and closing it cuts those
     * connections without a word of HTTP/2, as a crashed origin host or a dropped route would.
     */
    private static SocketOrigin forwarderTo(int port) throws IOException {
        return new SocketOrigin((index, connection) -> {
            connection.socket().setSoTimeout(0);
            try (Socket origin = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread back = new Thread(() -> {
                    try {
                        origin.getInputStream().transferTo(connection.out());
                    } catch (IOException cut) {
                        // the forwarder was closed
                    }
                }, "forwarder-back");
                back.setDaemon(true);
                back.start();
                connection.in().transferTo(origin.getOutputStream());
            }
        });
    }

    private static void assertUnavailable(Status status, String description) {
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo(description);
    }
}
