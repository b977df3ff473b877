package dev.sluice.e2e;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static dev.sluice.testing.GrpcEchoServer.intOf;
import static dev.sluice.testing.TestBodies.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What every gRPC call shape must survive through Sluice, whether it splices or bumps: unary, streaming each way,
 * big messages, deadlines, cancellation, error statuses with trailing metadata, and many calls at once on one
 * channel. Subclasses provide the channel (through Sluice) and the origin it reaches.
 */
abstract class GrpcCallsContract {
    /** A channel through Sluice to {@link #origin()}, shared by the class's tests. */
    abstract ManagedChannel channel();

    abstract GrpcEchoServer origin();

    @Test
    void unaryCallReturnsTheEcho() {
        byte[] reply = ClientCalls.blockingUnaryCall(channel(), GrpcEchoServer.ECHO, options(),
                "hello gRPC".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("hello gRPC");
    }

    @Test
    void serverStreamingDeliversTenThousandMessagesInOrder() {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel(), GrpcEchoServer.COUNT, options(),
                intMessage(10_000));

        int expected = 0;
        while (replies.hasNext()) {
            assertThat(intOf(replies.next())).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(10_000);
    }

    @Test
    void clientStreamingDeliversEveryMessage() throws Exception {
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch completed = new CountDownLatch(1);
        StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                channel().newCall(GrpcEchoServer.TALLY, options()), collecting(replies, failure, completed));

        for (int i = 0; i < 1000; i++) {
            requests.onNext(intMessage(i));
        }
        requests.onCompleted();

        assertThat(completed.await(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("call completed").isTrue();
        assertThat(failure.get()).isNull();
        assertThat(intOf(replies.take())).isEqualTo(1000);
    }

    @Test
    void bidiStreamingPingPongsInLockstep() throws Exception {
        BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch completed = new CountDownLatch(1);
        ClientCall<byte[], byte[]> call = channel().newCall(GrpcEchoServer.PING_PONG, options());
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(call, collecting(pongs, failure, completed));

        for (int i = 0; i < 100; i++) {
            pings.onNext(intMessage(i));
            byte[] pong = pongs.poll(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(pong).as("pong %d", i).isNotNull();
            assertThat(intOf(pong)).isEqualTo(i);
        }
        pings.onCompleted();

        assertThat(completed.await(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("call completed").isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWay() {
        byte[] big = pattern(16 << 20, 17);

        byte[] reply = ClientCalls.blockingUnaryCall(channel(), GrpcEchoServer.ECHO, options(), big);

        assertThat(reply.length).isEqualTo(big.length);
        assertThat(Arrays.equals(reply, big)).as("message intact").isTrue();
    }

    @Test
    void anErrorStatusAndItsCustomTrailersReachTheClientIntact() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel(), GrpcEchoServer.FAIL, options(),
                "NOT_FOUND".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("asked to fail");
                    Metadata trailers = e.getTrailers();
                    assertThat(trailers).isNotNull();
                    assertThat(trailers.get(GrpcEchoServer.DETAIL)).isEqualTo("NOT_FOUND");
                    assertThat(trailers.get(GrpcEchoServer.DETAIL_BIN)).isEqualTo("DNUOF_TON".getBytes(StandardCharsets.UTF_8));
                });
    }

    @Test
    void anExceededDeadlineFailsTheCallAndCancelsItAtTheServer() throws InterruptedException {
        CallOptions shortDeadline = CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel(), GrpcEchoServer.HANG, shortDeadline, new byte[1]))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        // On a slow machine the deadline may pass before the call reaches the server; it then never starts.
        if (origin().awaitHang(Duration.ofSeconds(1))) {
            assertThat(origin().awaitCancellation(SluiceFixture.PATIENCE)).as("the server saw the call cancelled").isTrue();
        }
    }

    @Test
    void aClientCancelReachesTheServer() throws InterruptedException {
        ClientCall<byte[], byte[]> call = channel().newCall(GrpcEchoServer.HANG, options());
        ListenableFuture<byte[]> reply = ClientCalls.futureUnaryCall(call, new byte[1]);
        assertThat(origin().awaitHang(SluiceFixture.PATIENCE)).as("the call reached the server").isTrue();

        reply.cancel(true);

        assertThat(origin().awaitCancellation(SluiceFixture.PATIENCE)).as("the server saw the call cancelled").isTrue();
    }

    @Test
    void aHundredConcurrentCallsShareOneChannel() throws InterruptedException, ExecutionException {
        List<ListenableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(ClientCalls.futureUnaryCall(channel().newCall(GrpcEchoServer.ECHO, options()), intMessage(i)));
        }

        for (int i = 0; i < 100; i++) {
            assertThat(intOf(replies.get(i).get())).isEqualTo(i);
        }
    }

    static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static StreamObserver<byte[]> collecting(BlockingQueue<byte[]> replies, AtomicReference<Throwable> failure,
                                                     CountDownLatch completed) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] reply) {
                replies.add(reply);
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
        };
    }
}
