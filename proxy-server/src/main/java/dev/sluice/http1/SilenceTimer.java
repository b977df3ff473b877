package dev.sluice.http1;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Fires once when an exchange has been waiting on its peer with nothing heard for a timeout: an origin that
 * stalls before or in the middle of its response would otherwise hold both connections forever. Activity is
 * noted cheaply (a timestamp, no rescheduling per read); the check reschedules itself for the remainder, like
 * Netty's {@code IdleStateHandler}. While {@code waiting} says no (Sluice itself holds reads back because the other
 * side is not writable) the silence is not the peer's, and the clock restarts. Runs on one event loop.
 */
final class SilenceTimer {
    private final EventLoop loop;
    private final long timeoutNanos;
    private final BooleanSupplier waiting;
    private final Runnable onSilence;
    private long lastActivity;
    private ScheduledFuture<?> check;

    SilenceTimer(EventLoop loop, long timeoutNanos, BooleanSupplier waiting, Runnable onSilence) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.waiting = waiting;
        this.onSilence = onSilence;
    }

    /** Starts (or restarts) the clock. */
    void start() {
        stop();
        activity();
        schedule(timeoutNanos);
    }

    void activity() {
        lastActivity = System.nanoTime();
    }

    void stop() {
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
