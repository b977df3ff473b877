package dev.sluice.http1;

import dev.sluice.observe.AccessLog;
import dev.sluice.observe.AccessLogEntry;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps access-log entries for a test to take, in the order they were logged. */
final class RecordingAccessLog implements AccessLog {
    private final BlockingQueue<AccessLogEntry> entries = new LinkedBlockingQueue<>();

    @Override
    public void log(AccessLogEntry entry) {
        entries.add(entry);
    }

    /** The next entry; fails the test if none arrives within the (generous) patience. */
    AccessLogEntry take() throws InterruptedException {
        AccessLogEntry entry = entries.poll(ForwardProxy.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        if (entry == null) {
            throw new AssertionError("no access-log entry within " + ForwardProxy.PATIENCE);
        }
        return entry;
    }

    @Override
    public void close() {
    }
}
