package dev.sluice.grpc;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * What a request head says about a gRPC call: whether it is one ({@code content-type: application/grpc} or
 * {@code application/grpc+proto}, {@code +json}, ...) and which service and method {@code :path} names.
 *
 * @param service {@code package.Service} from {@code :path /package.Service/Method}; null when the path has another shape
 * @param method  {@code Method}; null likewise
 */
public record GrpcRequest(String service, String method) {
    private static final AsciiString GRPC = AsciiString.cached("application/grpc");

    /** The gRPC view of a request head, or null when it is not a gRPC request. */
    public static GrpcRequest of(Http2Headers head) {
        CharSequence contentType = head.get("content-type");
        if (contentType == null || !isGrpc(contentType)) {
            return null;
        }
        CharSequence path = head.path();
        String text = path == null ? "" : path.toString();
        int slash = text.indexOf('/', 1);
        if (!text.startsWith("/") || slash < 2 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0
                || text.indexOf('?') >= 0) {
            return new GrpcRequest(null, null);
        }
        return new GrpcRequest(text.substring(1, slash), text.substring(slash + 1));
    }

    /** {@code application/grpc} exactly, or followed by {@code +subtype} or {@code ;parameters} (case-insensitive). */
    static boolean isGrpc(CharSequence contentType) {
        if (contentType.length() < GRPC.length()
                || !AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length())) {
            return false;
        }
        if (contentType.length() == GRPC.length()) {
            return true;
        }
        char next = contentType.charAt(GRPC.length());
        return next == '+' || next == ';';
    }

    /** Whether {@code :path} named a service and a method. */
    public boolean named() {
        return service != null;
    }
}
