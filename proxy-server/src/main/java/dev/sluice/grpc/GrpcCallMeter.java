package dev.sluice.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What one gRPC call carried, gathered as its frames pass through the HTTP/2 bridge, for its {@link GrpcCallRecord}:
 * messages and their bytes each way (from the length prefixes), {@code grpc-encoding} each way, and
 * {@code grpc-status} with {@code grpc-message} from whichever response HEADERS carries them (the trailers, or a
 * trailers-only response, Sluice's own included). Lives on the stream's event loop.
 */
public final class GrpcCallMeter {
    /** The code of a call that ended without a {@code grpc-status}. */
    public static final int NO_STATUS = -1;
    /** What a client makes of a {@code grpc-status} that is no number (grpc-java: UNKNOWN). */
    static final int UNKNOWN = 2;

    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString GRPC_ENCODING = AsciiString.cached("grpc-encoding");
    /** Longer is no status code: nine digits always fit an int. */
    private static final int MAX_STATUS_DIGITS = 9;

    private final GrpcRequest call;
    private final String requestEncoding;
    private final MessageFrameCounter requests = new MessageFrameCounter();
    private final MessageFrameCounter responses = new MessageFrameCounter();
    private String responseEncoding;
    private int code = NO_STATUS;
    private String message;
    private String rule;
    private boolean bySluice;

    /** @param requestHead the head {@code call} was read from */
    public GrpcCallMeter(GrpcRequest call, Http2Headers requestHead) {
        this.call = call;
        this.requestEncoding = text(requestHead.get(GRPC_ENCODING));
    }

    /** A request DATA frame's content; its indexes are unchanged. */
    public void requestData(ByteBuf content) {
        requests.count(content);
    }

    /** A response DATA frame's content; its indexes are unchanged. */
    public void responseData(ByteBuf content) {
        responses.count(content);
    }

    /** A response HEADERS frame: the head (with {@code grpc-encoding}), the trailers, or a trailers-only response. */
    public void response(Http2Headers headers) {
        if (responseEncoding == null) {
            responseEncoding = text(headers.get(GRPC_ENCODING));
        }
        CharSequence status = headers.get(GRPC_STATUS);
        if (status != null) {
            code = parseStatus(status);
            CharSequence text = headers.get(GRPC_MESSAGE);
            message = text == null ? null : GrpcMessage.decode(text);
        }
    }

    /** Sluice ended the call with {@code answer} itself (whose status {@link #response} saw in its headers). */
    public void answered(GrpcAnswer answer) {
        this.rule = answer.rule();
        this.bySluice = true;
    }

    public GrpcCallRecord record() {
        return new GrpcCallRecord(call.service(), call.method(), code, message, requestEncoding, responseEncoding,
                requests.messages(), responses.messages(), requests.bytes(), responses.bytes(), rule, bySluice);
    }

    static int parseStatus(CharSequence value) {
        if (value.length() == 0 || value.length() > MAX_STATUS_DIGITS) {
            return UNKNOWN;
        }
        int code = 0;
        for (int i = 0; i < value.length(); i++) {
            int digit = value.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return UNKNOWN;
            }
            code = code * 10 + digit;
        }
        return code;
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }
}
