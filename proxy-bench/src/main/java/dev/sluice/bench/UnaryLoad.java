package dev.sluice.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop unary load on one gRPC channel: {@code inFlight} calls outstanding at all times, each completion
 * starting the next call. After a warm-up it counts the completions in a fixed window and records the latency of
 * each call that both started and ended inside it; calls stop being started when the window ends.
 */
final class UnaryLoad {
    private final Channel channel;
    private final byte[] message;
    private final int inFlight;
    private final Duration callTimeout;

    UnaryLoad(Channel channel, int messageBytes, int inFlight, Duration callTimeout) {
        if (inFlight < 1 || messageBytes < 0) throw new IllegalArgumentException("need inFlight >= 1, messageBytes >= 0");
        this.channel = channel;
        this.message = new byte[messageBytes];
        Arrays.fill(message, (byte) 'x');
        this.inFlight = inFlight;
        this.callTimeout = callTimeout;
    }

    /**
     * One call, waited for: opens the channel's connection (through a bump: CONNECT, both handshakes, perhaps a
     * mint), so that no window pays for it.
     */
    void connect() throws IOException {
        try {
            ClientCalls.blockingUnaryCall(channel, GrpcOrigin.ECHO,
                    CallOptions.DEFAULT.withDeadlineAfter(callTimeout.toNanos(), TimeUnit.NANOSECONDS), message);
        } catch (RuntimeException e) {
            throw new IOException("the first call failed: " + Status.fromThrowable(e), e);
        }
    }

    UnaryWindow run(Duration warmup, Duration window) throws IOException, InterruptedException {
        long windowStart = System.nanoTime() + warmup.toNanos();
        Run run = new Run(windowStart, windowStart + window.toNanos());
        for (int i = 0; i < inFlight; i++) run.next();
        Duration patience = warmup.plus(window).plus(callTimeout);
        if (!run.lanesDone.await(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("calls were still outstanding " + patience + " after the start");
        }
        Throwable failure = run.failure.get();
        if (failure != null) throw new IOException("a call failed: " + Status.fromThrowable(failure), failure);
        UnaryWindow result = run.result();
        if (result.latencyNanos().length == 0) {
            throw new IOException("no call both started and ended inside the " + window + " window; make it longer");
        }
        return result;
    }

    /** One window's calls; each of the {@code inFlight} lanes counts down once when it stops. */
    private final class Run {
        private final long windowStart;
        private final long windowEnd;
        private final CountDownLatch lanesDone = new CountDownLatch(inFlight);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private long completions;
        private long[] latencies = new long[1 << 16];
        private int latencyCount;

        Run(long windowStart, long windowEnd) {
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
        }

        /** Starts this lane's next call, or stops the lane when the window is over or a call failed. */
        void next() {
            long start = System.nanoTime();
            if (start >= windowEnd || failure.get() != null) {
                lanesDone.countDown();
                return;
            }
            ClientCalls.asyncUnaryCall(channel.newCall(GrpcOrigin.ECHO, CallOptions.DEFAULT.withDeadlineAfter(
                    callTimeout.toNanos(), TimeUnit.NANOSECONDS)), message, new StreamObserver<>() {
                        @Override
                        public void onNext(byte[] reply) {
                            if (reply.length != message.length) {
                                failure.compareAndSet(null, new IOException("echo of " + reply.length + " bytes, sent "
                                        + message.length));
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, t);
                            lanesDone.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            completed(start, System.nanoTime());
                            next();
                        }
                    });
        }

        private synchronized void completed(long start, long end) {
            if (end < windowStart || end >= windowEnd) return;
            completions++;
            if (start < windowStart) return;
            if (latencyCount == latencies.length) latencies = Arrays.copyOf(latencies, latencyCount * 2);
            latencies[latencyCount++] = end - start;
        }

        synchronized UnaryWindow result() {
            long[] sorted = Arrays.copyOf(latencies, latencyCount);
            Arrays.sort(sorted);
            return new UnaryWindow(completions, windowEnd - windowStart, sorted);
        }
    }
}
