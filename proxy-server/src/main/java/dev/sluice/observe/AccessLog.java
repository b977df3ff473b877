package dev.sluice.observe;

import dev.sluice.config.AccessLogConfig;

/** Writes one JSON object per line. Never blocks an event loop; never throws into callers. */
public interface AccessLog extends AutoCloseable {
    void log(AccessLogEntry entry);

    @Override
    void close();

    static AccessLog create(AccessLogConfig config) {
        throw new UnsupportedOperationException("implemented in observe branch");
    }
}
