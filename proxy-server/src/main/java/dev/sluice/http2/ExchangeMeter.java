package dev.sluice.http2;

import dev.sluice.grpc.GrpcCallMeter;
import dev.sluice.grpc.GrpcRequest;
import dev.sluice.observe.Metrics;
import dev.sluice.relay.HttpExchangeRecord;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Instant;

/**
 * What one bridged stream carried, gathered as its frames pass, for its {@link HttpExchangeRecord}; with the per-call
 * gRPC view on and a gRPC request, a {@link GrpcCallMeter} gathers the call too.
 */
final class ExchangeMeter {
    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    private final boolean grpcCallView;
    /** Null unless the view is on and the request is a gRPC call. */
    private GrpcCallMeter grpc;
    private String method;
    private String authority;
    private String path;
    private int status;
    private long bytesUp;
    private long bytesDown;

    ExchangeMeter(boolean grpcCallView) {
        this.grpcCallView = grpcCallView;
    }

    void request(Http2Headers head) {
        method = text(head.method());
        authority = text(head.authority());
        path = text(head.path());
        if (grpcCallView) {
            GrpcRequest call = GrpcRequest.of(head);
            if (call != null) {
                grpc = new GrpcCallMeter(call, head);
            }
        }
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
        if (grpc != null) {
            grpc.response(headers);
        }
    }

    /** A request DATA frame's content, read without moving its indexes. */
    void up(ByteBuf content) {
        bytesUp += content.readableBytes();
        if (grpc != null) {
            grpc.requestData(content);
        }
    }

    /** A response DATA frame's content, read without moving its indexes. */
    void down(ByteBuf content) {
        bytesDown += content.readableBytes();
        if (grpc != null) {
            grpc.responseData(content);
        }
    }

    /** Sluice answered the gRPC call {@code PERMISSION_DENIED} itself, by call rule {@code rule}. */
    void deniedBy(String rule) {
        if (grpc != null) {
            grpc.deniedBy(rule);
        }
    }

    HttpExchangeRecord record(String error) {
        return new HttpExchangeRecord(started, Metrics.PROTOCOL_H2, method, authority, path, status, bytesUp,
                bytesDown, System.nanoTime() - startNanos, error, grpc == null ? null : grpc.record());
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }
}
