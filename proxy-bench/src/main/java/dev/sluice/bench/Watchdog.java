package dev.sluice.bench;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Puts a time limit on blocking socket work: the socket is closed when time is up, which fails the blocked call. */
final class Watchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Watchdog() {
    }

    /** Closes {@code socket} after {@code timeout} unless the returned future is cancelled first. */
    static ScheduledFuture<?> closeAfter(Closeable socket, Duration timeout) {
        return TIMER.schedule(() -> {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
