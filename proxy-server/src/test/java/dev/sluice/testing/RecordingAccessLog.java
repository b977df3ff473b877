package dev.sluice.testing;

import dev.sluice.observe.AccessLog;
import dev.sluice.observe.AccessLogEntry;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Keeps access-log entries for a test to take, in the order they were logged. */
public final class RecordingAccessLog implements AccessLog {
    private final BlockingQueue<AccessLogEntry> entries = new LinkedBlockingQueue<>();

    @Override
    public void log(AccessLogEntry entry) {
        entries.add(entry);
    }

    /** The next entry; fails the test if none arrives within {@link SluiceFixture#PATIENCE}. */
    public AccessLogEntry take() throws InterruptedException {
        return take(entry -> true);
    }

    /** The next entry that matches, dropping those before it; fails the test if none arrives in time. */
    public AccessLogEntry take(Predicate<AccessLogEntry> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        for (long left = SluiceFixture.PATIENCE.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            AccessLogEntry entry = entries.poll(left, TimeUnit.NANOSECONDS);
            if (entry != null && wanted.test(entry)) {
                return entry;
            }
        }
        throw new AssertionError("no matching access-log entry within " + SluiceFixture.PATIENCE);
    }

    /** The entries logged and not yet taken. */
    public List<AccessLogEntry> entries() {
        return List.copyOf(entries);
    }

    @Override
    public void close() {
    }
}
