package dev.sluice.testing;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static dev.sluice.testing.GrpcEchoServer.intOf;
import static dev.sluice.testing.TestBodies.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * The gRPC call shapes a proxy must carry, each made on a channel that reaches a {@link GrpcEchoServer} and checked
 * from the client's side (and the server's, where the shape is about cancellation). Tests of a proxy path call
 * these and add what that path records.
 */
public final class GrpcCalls {
    private static final Duration PATIENCE = SluiceFixture.PATIENCE;

    private GrpcCalls() {
    }

    /** A deadline no test waits for, so that a stuck call fails instead of hanging. */
    public static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** A unary {@link GrpcEchoServer#ECHO} of {@code text} comes back unchanged. */
    public static void unaryEchoes(Channel channel, String text) {
        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, options(),
                text.getBytes(StandardCharsets.UTF_8));

        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo(text);
    }

    /** A unary {@link GrpcEchoServer#ECHO} that succeeds; returns the certificate the client's TLS session was shown. */
    public static X509Certificate echoShowsPeer(Channel channel) throws Exception {
        ClientCall<byte[], byte[]> call = channel.newCall(GrpcEchoServer.ECHO, options());
        byte[] reply = ClientCalls.futureUnaryCall(call, new byte[] {7}).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(reply).containsExactly(7);
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        assertThat(session).as("a TLS session").isNotNull();
        return (X509Certificate) session.getPeerCertificates()[0];
    }

    /** {@link GrpcEchoServer#COUNT} streams {@code count} messages back, in order. */
    public static void serverStreamsInOrder(Channel channel, int count) {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel, GrpcEchoServer.COUNT, options(),
                intMessage(count));

        int expected = 0;
        while (replies.hasNext()) {
            assertThat(intOf(replies.next())).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(count);
    }

    /** A thousand 100-byte messages streamed to {@link GrpcEchoServer#TALLY} all arrive. */
    public static void clientStreamIsTallied(Channel channel) throws InterruptedException {
        Replies replies = new Replies();
        StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(GrpcEchoServer.TALLY, options()), replies);

        for (int i = 0; i < 1000; i++) {
            requests.onNext(pattern(100, i));
        }
        requests.onCompleted();

        replies.awaitCompleted();
        assertThat(intOf(replies.next())).isEqualTo(1000);
    }

    /** Two hundred pings to {@link GrpcEchoServer#PING_PONG}, each answered before the next is sent. */
    public static void bidiPingPongs(Channel channel) throws InterruptedException {
        Replies pongs = new Replies();
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcEchoServer.PING_PONG, options()), pongs);

        for (int i = 0; i < 200; i++) {
            pings.onNext(intMessage(i));
            assertThat(intOf(pongs.next())).as("pong %d", i).isEqualTo(i);
        }
        pings.onCompleted();

        pongs.awaitCompleted();
    }

    /** A 16 MiB message crosses to {@link GrpcEchoServer#ECHO} and back intact. */
    public static void bigMessageEchoes(Channel channel) {
        byte[] big = pattern(16 << 20, 17);

        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, options(), big);

        assertThat(reply.length).isEqualTo(big.length);
        assertThat(Arrays.equals(reply, big)).as("message intact").isTrue();
    }

    /**
     * {@link GrpcEchoServer#FAIL} answers NOT_FOUND: its non-ASCII description and both custom trailers, text and
     * binary, reach the client intact.
     */
    public static void errorStatusKeepsItsTrailers(Channel channel) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.FAIL, options(),
                "NOT_FOUND".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo(GrpcEchoServer.FAIL_DESCRIPTION);
                    Metadata trailers = e.getTrailers();
                    assertThat(trailers).isNotNull();
                    assertThat(trailers.get(GrpcEchoServer.DETAIL)).isEqualTo("NOT_FOUND");
                    byte[] reversedThenNoText = ByteBuffer.allocate(11)
                            .put("DNUOF_TON".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0xff).array();
                    assertThat(trailers.get(GrpcEchoServer.DETAIL_BIN)).containsExactly(reversedThenNoText);
                });
    }

    /**
     * A {@link GrpcEchoServer#HANG} call past its deadline fails with DEADLINE_EXCEEDED and, if it reached the server,
     * the server sees it cancelled. On a slow machine the deadline may pass before the call reaches the server, which
     * then never sees it; so this says whether it did.
     */
    public static boolean deadlineCancelsTheCallAtTheServer(Channel channel, GrpcEchoServer origin)
            throws InterruptedException {
        CallOptions shortDeadline = CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.HANG, shortDeadline,
                new byte[1]))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        if (!origin.awaitHang(Duration.ofSeconds(1))) {
            return false;
        }
        assertThat(origin.awaitCancellation(PATIENCE)).as("the server saw the call cancelled").isTrue();
        return true;
    }

    /** A {@link GrpcEchoServer#HANG} call that the client cancels once it reached the server is cancelled there. */
    public static void clientCancelReachesTheServer(Channel channel, GrpcEchoServer origin)
            throws InterruptedException {
        ClientCall<byte[], byte[]> call = channel.newCall(GrpcEchoServer.HANG, options());
        ListenableFuture<byte[]> reply = ClientCalls.futureUnaryCall(call, new byte[1]);
        assertThat(origin.awaitHang(PATIENCE)).as("the call reached the server").isTrue();

        reply.cancel(true);

        assertThat(origin.awaitCancellation(PATIENCE)).as("the server saw the call cancelled").isTrue();
    }

    /** A hundred unary calls started at once on one channel each get their own answer. */
    public static void aHundredConcurrentEchoes(Channel channel) throws Exception {
        List<ListenableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(ClientCalls.futureUnaryCall(channel.newCall(GrpcEchoServer.ECHO, options()), intMessage(i)));
        }

        for (int i = 0; i < 100; i++) {
            assertThat(intOf(replies.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))).isEqualTo(i);
        }
    }

    /** A streaming call's replies, and how it ended. */
    public static final class Replies implements StreamObserver<byte[]> {
        private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final CountDownLatch ended = new CountDownLatch(1);

        @Override
        public void onNext(byte[] reply) {
            replies.add(reply);
        }

        @Override
        public void onError(Throwable t) {
            failure.set(t);
            ended.countDown();
        }

        @Override
        public void onCompleted() {
            ended.countDown();
        }

        /** The next reply, waiting for it. */
        public byte[] next() throws InterruptedException {
            byte[] reply = replies.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(reply).as("a reply within " + PATIENCE).isNotNull();
            return reply;
        }

        public void awaitCompleted() throws InterruptedException {
            assertThat(ended.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("call ended").isTrue();
            assertThat(failure.get()).as("call failure").isNull();
        }

        /** Waits for the call to fail, and says how. */
        public Status awaitFailure() throws InterruptedException {
            assertThat(ended.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("call ended").isTrue();
            assertThat(failure.get()).as("call failure").isNotNull();
            return Status.fromThrowable(failure.get());
        }

        /** Replies that arrived and were not taken by {@link #next}. */
        public int waiting() {
            return replies.size();
        }
    }
}
