package dev.sluice.reload;

import dev.sluice.config.ReloadConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reloads on one thread of their own, whatever asks for them: SIGHUP, a settled change of the watched files
 * ({@code reload.watch}, polled every {@code reload.interval}), or {@link #reload} (tests, the admin listener). One
 * thread means one reload at a time, in order, and never on an event loop or the signal thread.
 */
public final class ReloadTriggers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadTriggers.class);
    static final String SIGHUP = "SIGHUP";
    static final String FILE_CHANGE = "file change";

    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-reload", true));
    private final ConfigReloader reloader;
    private final FileChangePoller poller;
    /** The reload that waits to start, if any: later requests join it. */
    private CompletableFuture<ReloadOutcome> queued;

    private ReloadTriggers(ConfigReloader reloader, boolean watch) {
        this.reloader = reloader;
        this.poller = watch ? new FileChangePoller(reloader::watchedFiles, () -> reloader.reload(FILE_CHANGE)) : null;
    }

    /**
     * @param hangup whether SIGHUP reloads: {@code run} says yes; a test in a shared JVM says no (the handler is
     *               process-wide)
     */
    public static ReloadTriggers start(ConfigReloader reloader, ReloadConfig config, boolean hangup) {
        ReloadTriggers triggers = new ReloadTriggers(reloader, config.watch());
        if (triggers.poller != null) {
            long every = config.interval().toMillis();
            triggers.thread.scheduleWithFixedDelay(triggers::poll, every, every, TimeUnit.MILLISECONDS);
        }
        if (hangup) {
            HangupSignal.handle(() -> triggers.reload(SIGHUP));
        }
        return triggers;
    }

    /**
     * Queues a reload; the future tells how it went. A request made while a reload waits to start joins that one
     * (it reads the files after the request anyway), so at most one runs and one waits, however often
     * {@code POST /reload} is sent.
     */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        synchronized (this) {
            if (queued != null) {
                return queued;
            }
            CompletableFuture<ReloadOutcome> next = new CompletableFuture<>();
            try {
                thread.execute(() -> run(next, trigger));
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(e); // stopping
            }
            queued = next;
            return next;
        }
    }

    private void run(CompletableFuture<ReloadOutcome> outcome, String trigger) {
        synchronized (this) {
            queued = null; // from now on a request may change what this reload reads: it queues another
        }
        try {
            ReloadOutcome result = reloader.reload(trigger);
            if (poller != null) {
                poller.rebaseline(); // what was just loaded is no change to report again
            }
            outcome.complete(result);
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
        }
    }

    /** A failure here must not end the polling: the scheduler would silently run no further poll. */
    private void poll() {
        try {
            poller.poll();
        } catch (RuntimeException e) {
            log.error("config reload: watching {} failed; polling goes on", reloader.watchedFiles(), e);
        }
    }

    /** A reload still waiting to start is dropped: whoever waits on it (an admin request) hears so at once. */
    @Override
    public void close() {
        thread.shutdownNow();
        synchronized (this) {
            if (queued != null) {
                queued.completeExceptionally(new IllegalStateException("Sluice is stopping"));
                queued = null;
            }
        }
    }
}
