package dev.sluice.http1;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The request head Sluice sends to an origin for an absolute-form client request (RFC 9112 §3.2): HTTP/1.1,
 * an origin-form target (path and query), {@code Host} taken from the URI, hop-by-hop headers removed,
 * {@code Via} added, and the body framed as the client framed it ({@code Content-Length} kept, a chunked
 * body re-chunked). The client's request is left untouched.
 */
final class OriginFormRequest {
    private static final String SCHEME_END = "://";

    private OriginFormRequest() {
    }

    static HttpRequest from(HttpRequest client) {
        String uri = client.uri();
        HttpHeaders headers = client.headers().copy();
        HopByHopHeaders.strip(headers);
        ViaHeader.append(headers, client.protocolVersion());
        int scheme = uri.indexOf(SCHEME_END);
        if (scheme >= 0) {
            // The URI names the origin; a Host header the client sent alongside it is ignored (RFC 9112 §3.2.2).
            headers.set(HttpHeaderNames.HOST, authority(uri, scheme + SCHEME_END.length()));
        }
        if (HttpUtil.isTransferEncodingChunked(client)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (HttpUtil.isContentLengthSet(client)) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, client.headers().get(HttpHeaderNames.CONTENT_LENGTH));
        }
        String target = scheme >= 0 ? originForm(uri, scheme + SCHEME_END.length()) : uri;
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, client.method(), target, headers);
    }

    /** {@code host[:port]} as the URI writes it, without any user info. */
    private static String authority(String uri, int start) {
        int end = authorityEnd(uri, start);
        int at = uri.lastIndexOf('@', end - 1);
        return uri.substring(at >= start ? at + 1 : start, end);
    }

    /** Path and query; {@code /} when the URI has no path; a fragment is never sent. */
    private static String originForm(String uri, int start) {
        int from = authorityEnd(uri, start);
        int fragment = uri.indexOf('#', from);
        String rest = uri.substring(from, fragment >= 0 ? fragment : uri.length());
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    private static int authorityEnd(String uri, int start) {
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }
}
