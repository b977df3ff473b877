package dev.sluice.relay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Fires once when Sluice has been waiting on a peer with nothing heard for a timeout: an origin that stalls before or
 * in the middle of its response, or a client that stalls its request body, would otherwise hold both connections
 * forever. Activity is noted cheaply (a timestamp, no rescheduling per read); the check reschedules itself for the
 * remainder, like Netty's {@code IdleStateHandler}. While {@code waiting} says no (Sluice itself holds the peer's
 * reads back) the silence is not the peer's, and the clock restarts. Runs on one event loop.
 */
public final class SilenceTimer {
    private final EventLoop loop;
    private final long timeoutNanos;
    private final BooleanSupplier waiting;
    private final Runnable onSilence;
    private long lastActivity;
    private ScheduledFuture<?> check;

    public SilenceTimer(EventLoop loop, long timeoutNanos, BooleanSupplier waiting, Runnable onSilence) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.waiting = waiting;
        this.onSilence = onSilence;
    }

    /** Starts (or restarts) the clock. */
    public void start() {
        stop();
        activity();
        schedule(timeoutNanos);
    }

    /** The peer was heard from. */
    public void activity() {
        lastActivity = System.nanoTime();
    }

    public void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(long delayNanos) {
        check = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        long silent = System.nanoTime() - lastActivity;
        if (!waiting.getAsBoolean()) {
            activity();
            schedule(timeoutNanos);
        } else if (silent < timeoutNanos) {
            schedule(timeoutNanos - silent);
        } else {
            check = null;
            onSilence.run();
        }
    }
}
