package dev.sluice.http2;

import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcCallRecord;
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
    private GrpcRequest call;
    private GrpcAnswer answer;

    ExchangeMeter(boolean grpcCallView) {
        this.grpcCallView = grpcCallView;
    }

    /** @param call what the head says of a gRPC call ({@link GrpcRequest#of}); null when it is none */
    void request(Http2Headers head, GrpcRequest call) {
        method = text(head.method());
        authority = text(head.authority());
        path = text(head.path());
        if (grpcCallView && call != null) {
            grpc = new GrpcCallMeter(call, head);
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

    /**
     * Sluice ended this gRPC call with a status of its own: a call rule denied it, or the upstream failed it. With the
     * view on, the view saw the status in the answer's headers and learns here that it was Sluice's (and the denying
     * rule); with it off, the record carries the answer alone, so a denial is still logged and counted as one. A request that is no gRPC
     * call but whose path a call rule denied is recorded the same way (with an HTTP {@code 403} as its status).
     */
    void answered(GrpcRequest call, GrpcAnswer answer) {
        this.call = call;
        this.answer = answer;
        if (grpc != null) {
            grpc.answered(answer);
        }
    }

    HttpExchangeRecord record(String error) {
        return new HttpExchangeRecord(started, Metrics.PROTOCOL_H2, method, authority, path, status, bytesUp,
                bytesDown, System.nanoTime() - startNanos, error, grpcRecord());
    }

    private GrpcCallRecord grpcRecord() {
        if (grpc != null) {
            return grpc.record();
        }
        return answer == null ? null : answer.record(call);
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }
}
