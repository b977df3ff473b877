package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** How an origin's response head is rewritten for the client, and whether the client connection stays open. */
class ClientResponseHeadTest {
    @Test
    void aContentLengthIsKeptAndAnHttp11ClientStaysConnected() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Content-Length: 5"), HttpVersion.HTTP_1_1,
                HttpMethod.GET, true);

        assertThat(head.headers().get("Content-Length")).isEqualTo("5");
        assertThat(head.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(head.headers().contains("Connection")).isFalse();
        assertThat(HttpUtil.isKeepAlive(head)).isTrue();
    }

    @Test
    void aChunkedBodyStaysChunkedForAnHttp11Client() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Transfer-Encoding: chunked"), HttpVersion.HTTP_1_1,
                HttpMethod.GET, true);

        assertThat(head.headers().get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(HttpUtil.isKeepAlive(head)).isTrue();
    }

    @Test
    void aBodyTheOriginEndsByClosingIsChunkedForAnHttp11ClientWhichStaysConnected() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Connection: close"), HttpVersion.HTTP_1_1,
                HttpMethod.GET, true);

        assertThat(head.headers().get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(HttpUtil.isKeepAlive(head)).isTrue();
    }

    @Test
    void anHttp10ClientGetsNoChunksButABodyEndedByClose() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Transfer-Encoding: chunked"), HttpVersion.HTTP_1_0,
                HttpMethod.GET, true);

        assertThat(head.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(head.headers().contains("Content-Length")).isFalse();
        assertThat(head.headers().get("Connection")).isEqualTo("close");
        assertThat(HttpUtil.isKeepAlive(head)).isFalse();
    }

    @Test
    void anHttp10ClientThatAskedForKeepAliveIsToldSoWhenTheLengthIsKnown() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Content-Length: 5"), HttpVersion.HTTP_1_0,
                HttpMethod.GET, true);

        assertThat(head.headers().get("Connection")).isEqualTo("keep-alive");
        assertThat(HttpUtil.isKeepAlive(head)).isTrue();
    }

    @Test
    void aClientThatMayNotStayIsToldTheConnectionCloses() {
        HttpResponse head = ClientResponseHead.from(origin(200, "Content-Length: 5"), HttpVersion.HTTP_1_1,
                HttpMethod.GET, false);

        assertThat(head.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void responsesWithoutABodyKeepTheirHeadersAndNeedNoFraming() {
        HttpResponse toHead = ClientResponseHead.from(origin(200, "Content-Length: 1234"), HttpVersion.HTTP_1_0,
                HttpMethod.HEAD, true);
        HttpResponse notModified = ClientResponseHead.from(origin(304), HttpVersion.HTTP_1_1, HttpMethod.GET, true);

        assertThat(toHead.headers().get("Content-Length")).isEqualTo("1234");
        assertThat(HttpUtil.isKeepAlive(toHead)).isTrue();
        assertThat(notModified.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(HttpUtil.isKeepAlive(notModified)).isTrue();
    }

    @Test
    void hopByHopHeadersStayBehindAndViaNamesTheOriginsVersion() {
        HttpResponse origin = origin(200, "Content-Length: 0", "Connection: keep-alive, X-Origin-Hop",
                "X-Origin-Hop: 1", "Keep-Alive: timeout=5", "Proxy-Authenticate: Basic", "Set-Cookie: a=b");
        origin.setProtocolVersion(HttpVersion.HTTP_1_0);

        HttpResponse head = ClientResponseHead.from(origin, HttpVersion.HTTP_1_1, HttpMethod.GET, true);

        assertThat(head.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(head.headers().names()).extracting(String::toLowerCase)
                .containsExactlyInAnyOrder("content-length", "set-cookie", "via");
        assertThat(head.headers().get("Via")).isEqualTo("1.0 sluice");
    }

    @Test
    void anInterimResponseCarriesNoFramingOrConnectionHeader() {
        HttpResponse head = ClientResponseHead.from(origin(100), HttpVersion.HTTP_1_1, HttpMethod.POST, true);

        assertThat(head.status().code()).isEqualTo(100);
        assertThat(head.headers().names()).extracting(String::toLowerCase).containsExactly("via");
    }

    private static HttpResponse origin(int status, String... headers) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        for (String header : headers) {
            int colon = header.indexOf(':');
            response.headers().add(header.substring(0, colon), header.substring(colon + 1).trim());
        }
        return response;
    }
}
