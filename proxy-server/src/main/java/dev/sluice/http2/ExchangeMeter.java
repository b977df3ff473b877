package dev.sluice.http2;

import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.grpc.GrpcRequest;
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
    private GrpcRequest call;
    private GrpcAnswer answer;

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

    /** Sluice ended this gRPC call with a status of its own: a call rule denied it, or the upstream failed it. */
    void answered(GrpcRequest call, GrpcAnswer answer) {
        this.call = call;
        this.answer = answer;
    }

    HttpExchangeRecord record(String error) {
        GrpcCallRecord grpc = answer == null ? null : new GrpcCallRecord(call.service(), call.method(), answer.code(),
                answer.message(), null, null, 0, 0, 0, 0, answer.rule());
        return new HttpExchangeRecord(started, Metrics.PROTOCOL_H2, method, authority, path, status, bytesUp,
                bytesDown, System.nanoTime() - startNanos, error, grpc);
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }
}
