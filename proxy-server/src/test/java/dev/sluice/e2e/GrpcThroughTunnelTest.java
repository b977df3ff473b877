package dev.sluice.e2e;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static dev.sluice.testing.GrpcEchoServer.intOf;
import static dev.sluice.testing.TestBodies.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.HttpConnectProxiedSocketAddress;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** grpc-java, through its own HTTP CONNECT proxy support, talks to a grpc-java TLS server across the splice. */
class GrpcThroughTunnelTest {
    private static SluiceFixture sluice;
    private static GrpcEchoServer origin;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        sluice = SluiceFixture.start();
        origin = GrpcEchoServer.start();
        channel = channelThroughSluice();
    }

    /** {@code origin.test:port} through Sluice; the target stays a name, which Sluice resolves via hosts:. */
    private static ManagedChannel channelThroughSluice() throws SSLException {
        InetSocketAddress proxy = sluice.proxyAddress();
        int port = origin.port();
        return NettyChannelBuilder.forAddress(TestPki.ORIGIN_HOST, port)
                .sslContext(GrpcSslContexts.forClient().trustManager(TestPki.get().caCertificate()).build())
                .proxyDetector(target -> HttpConnectProxiedSocketAddress.newBuilder()
                        .setTargetAddress(InetSocketAddress.createUnresolved(TestPki.ORIGIN_HOST, port))
                        .setProxyAddress(proxy)
                        .build())
                .maxInboundMessageSize(GrpcEchoServer.MAX_MESSAGE_BYTES)
                .build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (origin != null) origin.close();
        if (sluice != null) sluice.close();
    }

    @Test
    void unaryCallReturnsTheEcho() {
        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, options(),
                "hello gRPC".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("hello gRPC");
    }

    @Test
    void serverStreamingDeliversAThousandMessagesInOrder() {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel, GrpcEchoServer.COUNT, options(),
                intMessage(1000));

        int expected = 0;
        while (replies.hasNext()) {
            assertThat(intOf(replies.next())).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(1000);
    }

    @Test
    void bidiStreamingPingPongsInLockstep() throws Exception {
        BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        CountDownLatch completed = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ClientCall<byte[], byte[]> call = channel.newCall(GrpcEchoServer.PING_PONG, options());
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(byte[] pong) {
                pongs.add(pong);
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
                completed.countDown();
            }

            @Override
            public void onCompleted() {
                completed.countDown();
            }
        });

        for (int i = 0; i < 100; i++) {
            pings.onNext(intMessage(i));
            byte[] pong = pongs.poll(20, TimeUnit.SECONDS);
            assertThat(pong).as("pong %d", i).isNotNull();
            assertThat(intOf(pong)).isEqualTo(i);
        }
        pings.onCompleted();

        assertThat(completed.await(20, TimeUnit.SECONDS)).as("call completed").isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWay() {
        byte[] big = pattern(16 << 20, 17);

        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, options(), big);

        assertThat(reply.length).isEqualTo(big.length);
        assertThat(Arrays.equals(reply, big)).as("message intact").isTrue();
    }

    @Test
    void anErrorStatusFromTheServerReachesTheClient() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.FAIL, options(),
                "NOT_FOUND".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("asked to fail");
                });
    }

    @Test
    void theChannelsTunnelIsASpliceThatIsLoggedWhenTheChannelCloses() throws Exception {
        ManagedChannel own = channelThroughSluice();
        try {
            ClientCalls.blockingUnaryCall(own, GrpcEchoServer.ECHO, options(), new byte[] {1});
        } finally {
            own.shutdownNow();
            own.awaitTermination(10, TimeUnit.SECONDS);
        }

        String target = TestOrigins.authority(origin.port());
        var line = sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method")) && target.equals(l.text("target")));
        assertThat(line.text("action")).isEqualTo("splice");
        assertThat(line.number("status")).isEqualTo(200);
        sluice.awaitMetric(1, "sluice_connections_total", "kind", "tunnel");
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    }
}
