package dev.sluice.grpc;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * A gRPC status Sluice gives a call itself, never the origin's: {@code PERMISSION_DENIED} when a call rule denies it,
 * {@code UNAVAILABLE} when the upstream failed it. The client reads a status and Sluice's reason where it would
 * otherwise get a bare RST_STREAM (which gRPC clients can only report as {@code INTERNAL}, "RST_STREAM closed
 * stream").
 *
 * @param code    the {@code grpc-status} code
 * @param message the {@code grpc-message} text, not yet percent-encoded; it begins {@code sluice: }
 * @param rule    the call rule that denied the call; null for other answers
 */
public record GrpcAnswer(int code, String message, String rule) {
    public static final int PERMISSION_DENIED = 7;
    public static final int UNAVAILABLE = 14;

    private static final AsciiString OK_STATUS = AsciiString.cached("200");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** A call rule denied the call. */
    public static GrpcAnswer denied(String rule) {
        return new GrpcAnswer(PERMISSION_DENIED, "sluice: call denied by rule " + rule, rule);
    }

    /** The upstream failed the call; {@code reason} says how, e.g. {@code upstream connection closed}. */
    public static GrpcAnswer unavailable(String reason) {
        return new GrpcAnswer(UNAVAILABLE, "sluice: " + reason, null);
    }

    /**
     * What Sluice answers in place of an upstream RST_STREAM with {@code error}, or null when the reset is better
     * passed on as it is because gRPC (PROTOCOL-HTTP2.md, "Errors") gives that code a meaning its clients act on:
     * {@code REFUSED_STREAM} is UNAVAILABLE with the promise that nothing was processed, so clients retry it
     * transparently (on a new connection after a GOAWAY: what keeps calls alive across an origin's max connection
     * age or restart); {@code CANCEL} is CANCELLED, and is what a server sends when its own deadline for the call
     * passed or it cancelled the call (grpc-java then reports DEADLINE_EXCEEDED if the client's deadline passed too:
     * an UNAVAILABLE here would invite a retry of a call the server gave up on); {@code ENHANCE_YOUR_CALM} is
     * RESOURCE_EXHAUSTED and {@code INADEQUATE_SECURITY} PERMISSION_DENIED. Every other code would reach the
     * application as a bare {@code INTERNAL}.
     */
    public static GrpcAnswer forUpstreamReset(Http2Error error) {
        return switch (error) {
            case REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM, INADEQUATE_SECURITY -> null;
            default -> unavailable("upstream reset the stream (" + error.name() + ")");
        };
    }

    /**
     * What a call Sluice answered this way without relaying any of it carries: its name, this status, no messages.
     */
    public GrpcCallRecord record(GrpcRequest call) {
        return new GrpcCallRecord(call.service(), call.method(), code, message, null, null, 0, 0, 0, 0, rule, true);
    }

    /** The whole response in one HEADERS frame, for a client that has no response head yet. */
    public Http2Headers trailersOnly() {
        return new DefaultHttp2Headers().status(OK_STATUS).add(CONTENT_TYPE, GRPC)
                .add(GRPC_STATUS, AsciiString.of(Integer.toString(code)))
                .add(GRPC_MESSAGE, percentEncoded(message));
    }

    /** Trailers ending a response whose head (and perhaps messages) the client already has. */
    public Http2Headers trailers() {
        return new DefaultHttp2Headers().add(GRPC_STATUS, AsciiString.of(Integer.toString(code)))
                .add(GRPC_MESSAGE, percentEncoded(message));
    }

    /**
     * {@code grpc-message} encoding: the UTF-8 bytes, with every byte outside {@code 0x20-0x7E} and every {@code %}
     * written as {@code %XX}.
     */
    static AsciiString percentEncoded(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[bytes.length * 3];
        int length = 0;
        for (byte b : bytes) {
            if (b >= 0x20 && b <= 0x7e && b != '%') {
                out[length++] = b;
            } else {
                out[length++] = '%';
                out[length++] = HEX[(b >> 4) & 0xf];
                out[length++] = HEX[b & 0xf];
            }
        }
        return new AsciiString(out, 0, length, true);
    }
}
