package dev.sluice.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Long-lived bidi streams to {@link GrpcOrigin#ECHO_STREAM}, spread round-robin over the given channels: each sends
 * a message naming the stream and its sequence number, checks that exactly that comes back, and sends the next one
 * {@code interval} later, until {@link #finish} asks every stream to end after its current echo. One message in
 * flight per stream, so a stream's sends never overlap. What goes wrong lands in {@link SoakErrors}.
 */
final class GrpcEchoStreams {
    private final List<? extends Channel> channels;
    private final int streams;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private final SoakErrors errors;
    private final CountDownLatch ended;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private volatile boolean finishing;

    GrpcEchoStreams(List<? extends Channel> channels, int streams, Duration interval, ScheduledExecutorService timer,
                    SoakErrors errors) {
        this.channels = List.copyOf(channels);
        this.streams = streams;
        this.interval = interval;
        this.timer = timer;
        this.errors = errors;
        this.ended = new CountDownLatch(streams);
    }

    void start() {
        for (int i = 0; i < streams; i++) new EchoStream(i, channels.get(i % channels.size())).send();
    }

    /** Lets every stream end after its current echo and waits for them; false if some have not ended in time. */
    boolean finish(Duration timeout) throws InterruptedException {
        finishing = true;
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Messages sent and echoed back as sent on all streams, and streams the origin ended with OK. */
    record Counts(long sent, long echoed, long completed) {
    }

    Counts counts() {
        return new Counts(sent.get(), echoed.get(), completed.get());
    }

    private final class EchoStream implements StreamObserver<byte[]> {
        private final int id;
        private final StreamObserver<byte[]> requests;
        private long sequence;
        private byte[] expected;

        EchoStream(int id, Channel channel) {
            this.id = id;
            this.requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(GrpcOrigin.ECHO_STREAM,
                    CallOptions.DEFAULT), this);
        }

        /** Runs on the timer, or first on the starting thread: never while a message is in flight. */
        void send() {
            if (finishing) {
                requests.onCompleted();
                return;
            }
            expected = ("stream " + id + " message " + sequence++).getBytes(StandardCharsets.US_ASCII);
            sent.incrementAndGet();
            requests.onNext(expected);
        }

        @Override
        public void onNext(byte[] message) {
            if (!Arrays.equals(message, expected)) {
                errors.add("grpc stream echoed other bytes", new String(message, StandardCharsets.US_ASCII));
                requests.onError(Status.INTERNAL.withDescription("echo mismatch").asRuntimeException());
                return;
            }
            echoed.incrementAndGet();
            if (finishing) {
                requests.onCompleted();
            } else {
                timer.schedule(this::send, interval.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void onError(Throwable error) {
            errors.add("grpc stream " + Status.fromThrowable(error).getCode(), error);
            ended.countDown();
        }

        @Override
        public void onCompleted() {
            completed.incrementAndGet();
            ended.countDown();
        }
    }
}
