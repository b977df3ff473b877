package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What an origin receives, on the wire, for an absolute-form request a client sent to Sluice. */
class OriginFormRequestTest {
    @Test
    void theTargetBecomesPathAndQueryAndHostComesFromTheUri() {
        HttpRequest client = request(HttpVersion.HTTP_1_1, "GET", "http://example.com:8080/a/b?x=1&y=%20#frag",
                "Host: wrong.example", "Accept: */*");

        assertThat(wire(OriginFormRequest.from(client))).isEqualTo("GET /a/b?x=1&y=%20 HTTP/1.1\r\n"
                + "Accept: */*\r\n"
                + "via: 1.1 sluice\r\n"
                + "host: example.com:8080\r\n"
                + "\r\n");
    }

    @Test
    void aUriWithoutAPathAsksForTheRoot() {
        assertThat(OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "GET", "http://example.com")).uri())
                .isEqualTo("/");
        assertThat(OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "GET", "http://example.com?q=1")).uri())
                .isEqualTo("/?q=1");
    }

    @Test
    void userInfoNeverReachesTheHostHeader() {
        HttpRequest upstream = OriginFormRequest.from(
                request(HttpVersion.HTTP_1_1, "GET", "http://user:secret@example.com/private"));

        assertThat(upstream.headers().get("Host")).isEqualTo("example.com");
        assertThat(upstream.uri()).isEqualTo("/private");
    }

    @Test
    void anIpv6LiteralKeepsItsBrackets() {
        HttpRequest upstream = OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "GET", "http://[::1]:8080/x"));

        assertThat(upstream.headers().get("Host")).isEqualTo("[::1]:8080");
        assertThat(upstream.uri()).isEqualTo("/x");
    }

    @Test
    void hopByHopHeadersStayBehindAndViaIsAppended() {
        HttpRequest client = request(HttpVersion.HTTP_1_1, "GET", "http://example.com/",
                "Connection: keep-alive, X-Hop", "X-Hop: 1", "Proxy-Connection: keep-alive",
                "Proxy-Authorization: Basic dXNlcjpwYXNz", "Keep-Alive: 5", "TE: trailers", "Upgrade: h2c",
                "Via: 1.0 corporate-proxy", "X-End-To-End: kept");

        HttpRequest upstream = OriginFormRequest.from(client);

        assertThat(upstream.headers().names()).extracting(String::toLowerCase)
                .containsExactlyInAnyOrder("host", "x-end-to-end", "via");
        assertThat(upstream.headers().get("Via")).isEqualTo("1.0 corporate-proxy, 1.1 sluice");
    }

    @Test
    void anHttp10RequestGoesUpstreamAsHttp11AndViaNamesTheVersionItArrivedIn() {
        HttpRequest upstream = OriginFormRequest.from(request(HttpVersion.HTTP_1_0, "GET", "http://example.com/old"));

        assertThat(upstream.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(upstream.headers().get("Via")).isEqualTo("1.0 sluice");
    }

    @Test
    void aFixedLengthBodyKeepsItsLength() {
        HttpRequest upstream = OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "POST", "http://example.com/up",
                "Content-Length: 42"));

        assertThat(upstream.headers().get("Content-Length")).isEqualTo("42");
        assertThat(upstream.headers().contains("Transfer-Encoding")).isFalse();
    }

    @Test
    void aChunkedBodyIsChunkedAgainUpstream() {
        HttpRequest upstream = OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "POST", "http://example.com/up",
                "Transfer-Encoding: chunked"));

        assertThat(upstream.headers().get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(upstream.headers().contains("Content-Length")).isFalse();
    }

    @Test
    void theConnectionHeaderCannotTakeAwayHowTheBodyIsDelimited() {
        HttpRequest upstream = OriginFormRequest.from(request(HttpVersion.HTTP_1_1, "POST", "http://example.com/up",
                "Connection: Content-Length", "Content-Length: 7"));

        assertThat(upstream.headers().get("Content-Length")).isEqualTo("7");
    }

    @Test
    void theClientsRequestIsLeftAsItWas() {
        HttpRequest client = request(HttpVersion.HTTP_1_1, "GET", "http://example.com/a", "Connection: X-Hop",
                "X-Hop: 1");

        OriginFormRequest.from(client);

        assertThat(client.uri()).isEqualTo("http://example.com/a");
        assertThat(client.headers().get("X-Hop")).isEqualTo("1");
        assertThat(client.headers().contains("Via")).isFalse();
    }

    private static HttpRequest request(HttpVersion version, String method, String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.valueOf(method), uri);
        for (String header : headers) {
            int colon = header.indexOf(':');
            request.headers().add(header.substring(0, colon), header.substring(colon + 1).trim());
        }
        return request;
    }

    /** The request head as Netty's encoder puts it on the wire. */
    private static String wire(HttpRequest request) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestEncoder());
        try {
            channel.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
            StringBuilder text = new StringBuilder();
            for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
                text.append(buf.toString(StandardCharsets.US_ASCII));
                buf.release();
            }
            return text.toString();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
