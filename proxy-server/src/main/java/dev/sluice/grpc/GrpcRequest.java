package dev.sluice.grpc;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What a request head says about a gRPC call: whether it is one ({@code content-type: application/grpc} or
 * {@code application/grpc+proto}, {@code +json}, {@code application/grpc-web}, ...) and which service and method
 * {@code :path} names. The path part stands on its own ({@link #ofPath}): other protocols reach the same handlers by
 * the same path (connect-go serves Connect's {@code application/proto}, {@code application/json} and
 * {@code application/connect+proto} there), so call rules gate every request by it, whatever its content type.
 *
 * <p>Call rules decide by what this reads, so it reads the head the way the most lenient origin could: a request is a
 * call when any of its {@code content-type} fields says so (grpc-go takes it as one then), and the path is
 * normalized as servers and fronts do before routing (Go's {@code net/http} under grpc-go's {@code ServeHTTP} and
 * connect-go, Envoy's {@code normalize_path} and {@code merge_slashes}): query cut off, percent-escapes decoded,
 * empty and dot segments resolved. Strict origins refuse such paths anyway; lenient ones route them to the method
 * named here.
 *
 * @param service {@code package.Service} from {@code :path /package.Service/Method} (the segment before the last);
 *                null when the path has fewer than two segments
 * @param method  {@code Method} (the last segment); null likewise
 */
public record GrpcRequest(String service, String method) {
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString GRPC = AsciiString.cached("application/grpc");
    private static final String WEB = "-web";
    private static final String TEXT = "-text";
    private static final GrpcRequest UNNAMED = new GrpcRequest(null, null);

    /** The gRPC view of a request head, or null when it is not a gRPC request. */
    public static GrpcRequest of(Http2Headers head) {
        if (!anyGrpcContentType(head)) {
            return null;
        }
        return ofPath(head.path());
    }

    /**
     * The service and method a request path ({@code :path}, or an HTTP/1.1 origin-form target) names, whatever the
     * request's content type; {@link #named()} is false for a path of fewer than two segments, and for null.
     */
    public static GrpcRequest ofPath(CharSequence path) {
        if (path == null) {
            return UNNAMED;
        }
        String text = path.toString();
        return atMostOneSegment(text) ? UNNAMED : named(text);
    }

    /**
     * Whether the path before its query has no {@code %} and no {@code /} but a leading one: then it cannot name a
     * method, and the common {@code /index.html} costs one scan rather than a parse.
     */
    private static boolean atMostOneSegment(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '?' || c == '#') {
                return true;
            }
            if (c == '%' || c == '/' && i > 0) {
                return false;
            }
        }
        return true;
    }

    /** Iterates in place: every bumped request passes here, and {@code getAll} would copy the values to a list. */
    private static boolean anyGrpcContentType(Http2Headers head) {
        Iterator<CharSequence> values = head.valueIterator(CONTENT_TYPE);
        while (values.hasNext()) {
            if (isGrpc(values.next())) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code application/grpc} or {@code application/grpc-web} (or {@code -web-text}) exactly, or followed by
     * {@code +subtype} or {@code ;parameters} (case-insensitive).
     */
    static boolean isGrpc(CharSequence contentType) {
        if (contentType.length() < GRPC.length()
                || !AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length())) {
            return false;
        }
        int at = GRPC.length();
        at = after(contentType, at, WEB);
        if (at > GRPC.length()) {
            at = after(contentType, at, TEXT);
        }
        if (contentType.length() == at) {
            return true;
        }
        char next = contentType.charAt(at);
        return next == '+' || next == ';';
    }

    /** {@code at} past {@code part} when {@code text} has it there (case-insensitive), else {@code at}. */
    private static int after(CharSequence text, int at, String part) {
        return text.length() >= at + part.length() && AsciiString.regionMatches(text, true, at, part, 0, part.length())
                ? at + part.length() : at;
    }

    /** Service and method: the last two segments of the normalized path. */
    private static GrpcRequest named(String path) {
        int end = path.length();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String text = path.substring(0, end);
        if (text.indexOf('%') >= 0) {
            text = percentDecoded(text);
        }
        List<String> segments = new ArrayList<>();
        for (String segment : text.split("/", -1)) {
            if (segment.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        int count = segments.size();
        return count < 2 ? UNNAMED : new GrpcRequest(segments.get(count - 2), segments.get(count - 1));
    }

    /** Every {@code %XX} as its byte, the bytes read as UTF-8; a {@code %} without two hex digits stays. */
    private static String percentDecoded(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            int high = i + 2 < bytes.length && bytes[i] == '%' ? Character.digit(bytes[i + 1], 16) : -1;
            int low = high < 0 ? -1 : Character.digit(bytes[i + 2], 16);
            if (low < 0) {
                out.write(bytes[i]);
            } else {
                out.write(high << 4 | low);
                i += 2;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether {@code :path} named a service and a method. */
    public boolean named() {
        return service != null;
    }
}
