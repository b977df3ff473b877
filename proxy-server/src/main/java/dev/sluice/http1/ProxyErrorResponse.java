package dev.sluice.http1;

import dev.sluice.relay.ProxyStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** An error Sluice itself answers: a short text body and an RFC 9209 {@code Proxy-Status} header ({@link ProxyStatus}). */
public final class ProxyErrorResponse {
    /** RFC 9110's reason phrase; Netty's {@code REQUEST_URI_TOO_LONG} carries RFC 2616's. */
    public static final HttpResponseStatus URI_TOO_LONG = new HttpResponseStatus(414, "URI Too Long");

    private ProxyErrorResponse() {
    }

    /**
     * @param proxyStatusError an RFC 9209 error type ({@code http_request_denied}, {@code dns_error}, ...)
     * @param detail           short human detail; also the body's second line, where it is {@link ProxyStatus#printable}
     */
    public static FullHttpResponse create(ByteBufAllocator alloc, HttpResponseStatus status, String proxyStatusError,
                                          String detail) {
        String text = status.code() + " " + status.reasonPhrase() + "\n" + ProxyStatus.printable(detail) + "\n";
        ByteBuf body = alloc.buffer(text.length());
        body.writeCharSequence(text, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(ProxyStatus.FIELD, ProxyStatus.of(proxyStatusError, detail));
        return response;
    }
}
