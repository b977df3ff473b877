package dev.sluice.http2;

import dev.sluice.observe.Metrics;
import dev.sluice.relay.HttpExchangeRecord;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Instant;

/** What one bridged stream carried, gathered as its frames pass, for its {@link HttpExchangeRecord}. */
final class ExchangeMeter {
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private String method;
    private String authority;
    private String path;
    private int status;
    private long bytesUp;
    private long bytesDown;

    void request(Http2Headers head) {
        method = text(head.method());
        authority = text(head.authority());
        path = text(head.path());
    }

    /** A response HEADERS frame: an informational head, the final head or the trailers (which carry no status). */
    void response(Http2Headers headers) {
        CharSequence value = headers.status();
        if (value != null) {
            try {
                status = Integer.parseInt(value.toString());
            } catch (NumberFormatException e) {
                // the codec let through a malformed :status; the record keeps the last valid one
            }
        }
    }

    void up(int bytes) {
        bytesUp += bytes;
    }

    void down(int bytes) {
        bytesDown += bytes;
    }

    HttpExchangeRecord record(String error) {
        return new HttpExchangeRecord(started, Metrics.PROTOCOL_H2, method, authority, path, status, bytesUp,
                bytesDown, System.nanoTime() - startNanos, error, null);
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }
}
