package dev.sluice.observe;

import dev.sluice.config.AccessLogConfig;

/** Writes one JSON object per line. Never blocks an event loop; never throws into callers. */
public interface AccessLog extends AutoCloseable {
    /** Writes nothing; what {@code accessLog: {enabled: false}} gives. */
    AccessLog DISABLED = new AccessLog() {
        @Override
        public void log(AccessLogEntry entry) {
        }

        @Override
        public void close() {
        }
    };

    void log(AccessLogEntry entry);

    /** Writes what is queued, flushes, and closes the file (stdout stays open). */
    @Override
    void close();

    /**
     * Lines go to stdout ({@code path: stdout}) or are appended to the file at {@code path}. A line that
     * finds the queue full is dropped and counted in {@code sluice_access_log_dropped_total}.
     *
     * @throws java.io.UncheckedIOException when the file cannot be opened for appending
     */
    static AccessLog create(AccessLogConfig config, Metrics metrics) {
        return config.enabled() ? JsonLinesAccessLog.open(config.path(), metrics::accessLogDropped) : DISABLED;
    }
}
