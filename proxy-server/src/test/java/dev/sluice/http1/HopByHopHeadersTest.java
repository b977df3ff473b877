package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
    @Test
    void removesTheFixedHopByHopFields() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive")
                .add("Proxy-Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Trailer", "X-Checksum")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket")
                .add("Proxy-Authorization", "Basic dXNlcjpwYXNz")
                .add("Proxy-Authenticate", "Basic realm=\"sluice\"");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).isEmpty();
    }

    @Test
    void removesEveryFieldTheConnectionHeaderNamesAcrossLinesAndCase() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "close, X-Hop-One")
                .add("connection", "x-hop-two ,,")
                .add("X-Hop-One", "1")
                .add("X-HOP-TWO", "2");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).isEmpty();
    }

    @Test
    void keepsEndToEndFields() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "X-Hop")
                .add("X-Hop", "dropped")
                .add("Host", "example.com")
                .add("Content-Type", "text/plain")
                .add("Cookie", "a=b")
                .add("Authorization", "Bearer token-for-the-origin");

        HopByHopHeaders.strip(headers);

        assertThat(headers.names()).containsExactlyInAnyOrder("Host", "Content-Type", "Cookie", "Authorization");
    }
}
