package dev.sluice.http1;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The response head Sluice sends its client for an origin's response: hop-by-hop headers removed, {@code Via}
 * added, and the body framed for the client connection. A {@code Content-Length} is kept; a body without one
 * is chunked for an HTTP/1.1 client and delimited by closing the connection for an HTTP/1.0 client, which
 * cannot read chunks. The {@code Connection} header says whether the client connection stays open, so
 * {@link HttpUtil#isKeepAlive} on the result is the one answer to that question.
 */
final class ClientResponseHead {
    private ClientResponseHead() {
    }

    /**
     * @param clientVersion the version of the client's request
     * @param requestMethod the client's request method (a response to HEAD has no body)
     * @param keepAlive     whether the client connection may stay open, framing permitting
     */
    static HttpResponse from(HttpResponse origin, HttpVersion clientVersion, HttpMethod requestMethod,
                             boolean keepAlive) {
        HttpHeaders headers = origin.headers().copy();
        HopByHopHeaders.strip(headers);
        ViaHeader.append(headers, origin.protocolVersion());
        boolean open = keepAlive;
        if (!bodyless(requestMethod, origin.status())) {
            if (HttpUtil.isTransferEncodingChunked(origin) || !HttpUtil.isContentLengthSet(origin)) {
                headers.remove(HttpHeaderNames.CONTENT_LENGTH);
                if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                    open = false;
                } else {
                    headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
            } else {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, origin.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            }
        }
        if (origin.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            persistence(headers, clientVersion, open);
        }
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, origin.status(), headers);
    }

    /** Whether a response to this method with this status never has a body (RFC 9112 §6.3). */
    static boolean bodyless(HttpMethod requestMethod, HttpResponseStatus status) {
        return HttpMethod.HEAD.equals(requestMethod)
                || status.codeClass() == HttpStatusClass.INFORMATIONAL
                || status.code() == HttpResponseStatus.NO_CONTENT.code()
                || status.code() == HttpResponseStatus.NOT_MODIFIED.code();
    }

    /**
     * States whether the connection stays open after this response, in the terms the client's version
     * understands: HTTP/1.1 assumes it stays open, HTTP/1.0 assumes it closes.
     */
    static void persistence(HttpHeaders headers, HttpVersion clientVersion, boolean keepAlive) {
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            headers.remove(HttpHeaderNames.CONNECTION);
        }
    }
}
