package dev.sluice.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of short-lived connections through Sluice, alternating between a CONNECT splice that carries one
 * echo to the splice origin and a bumped gRPC channel that makes one unary call; each is closed right after. At most
 * {@link #MAX_IN_FLIGHT} are open at once: when the machine cannot keep up, a tick that finds no room is skipped
 * (and counted), never queued, so the load stays bounded and the counts stay exact.
 */
final class ConnectionChurn {
    static final int MAX_IN_FLIGHT = 32;

    /** A fresh gRPC channel through Sluice. */
    interface ChannelFactory {
        ManagedChannel open() throws IOException;
    }

    private final InetSocketAddress proxy;
    private final String spliceAuthority;
    private final ChannelFactory bumped;
    private final Duration timeout;
    private final SoakErrors errors;
    private final Semaphore room = new Semaphore(MAX_IN_FLIGHT);
    private final ExecutorService workers = Executors.newFixedThreadPool(MAX_IN_FLIGHT);
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong splices = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong okCalls = new AtomicLong();
    private final AtomicLong spliceBytes = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private ScheduledFuture<?> ticking;

    ConnectionChurn(InetSocketAddress proxy, InetSocketAddress spliceOrigin, ChannelFactory bumped, Duration timeout,
                    SoakErrors errors) {
        this.proxy = proxy;
        this.spliceAuthority = spliceOrigin.getAddress().getHostAddress() + ":" + spliceOrigin.getPort();
        this.bumped = bumped;
        this.timeout = timeout;
        this.errors = errors;
    }

    /** Starts opening {@code perSecond} connections a second on {@code timer}; none when it is 0. */
    void start(int perSecond, ScheduledExecutorService timer) {
        if (perSecond > 0) {
            ticking = timer.scheduleAtFixedRate(this::tick, 0, 1_000_000_000L / perSecond, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops opening connections and waits for those open to finish; false if some did not within the timeout. */
    boolean stop() throws InterruptedException {
        if (ticking != null) ticking.cancel(false);
        workers.shutdown();
        return workers.awaitTermination(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** What the churn did so far; the fields are those of {@link ClientCounts} that start with {@code churn}. */
    record Counts(long splices, long spliceBytes, long calls, long okCalls, long skipped) {
    }

    Counts counts() {
        return new Counts(splices.get(), spliceBytes.get(), calls.get(), okCalls.get(), skipped.get());
    }

    private void tick() {
        if (!room.tryAcquire()) {
            skipped.incrementAndGet();
            return;
        }
        boolean splice = ticks.getAndIncrement() % 2 == 0;
        (splice ? splices : calls).incrementAndGet();
        workers.execute(() -> {
            try {
                if (splice) spliceEcho();
                else unaryCall();
            } finally {
                room.release();
            }
        });
    }

    private void spliceEcho() {
        byte[] ping = "churn ping".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel channel = HttpConnect.open(proxy)) {
            ScheduledFuture<?> watchdog = Watchdog.closeAfter(channel, timeout);
            try {
                if (HttpConnect.tunnel(channel, spliceAuthority) != 0) {
                    throw new IOException("origin bytes before the ping");
                }
                channel.write(ByteBuffer.wrap(ping));
                ByteBuffer echo = ByteBuffer.allocate(ping.length + 1);
                while (echo.position() < ping.length) {
                    if (channel.read(echo) < 0) throw new IOException("tunnel closed before the echo");
                }
                if (echo.position() != ping.length || !Arrays.equals(Arrays.copyOf(echo.array(), ping.length), ping)) {
                    throw new IOException("tunnel echoed other bytes");
                }
                spliceBytes.addAndGet(ping.length);
            } finally {
                watchdog.cancel(false);
            }
        } catch (IOException e) {
            errors.add("new connection: splice", e);
        }
    }

    private void unaryCall() {
        byte[] message = "churn call".getBytes(StandardCharsets.US_ASCII);
        ManagedChannel channel;
        try {
            channel = bumped.open();
        } catch (IOException e) {
            errors.add("new connection: grpc channel", e);
            return;
        }
        try {
            byte[] answer = ClientCalls.blockingUnaryCall(channel, GrpcOrigin.ECHO,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS), message);
            if (Arrays.equals(answer, message)) okCalls.incrementAndGet();
            else errors.add("new connection: unary echo", "other bytes");
        } catch (RuntimeException e) {
            errors.add("new connection: unary " + Status.fromThrowable(e).getCode(), e);
        } finally {
            channel.shutdown();
            try {
                if (!channel.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    errors.add("new connection: grpc channel", "did not shut down within " + timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
