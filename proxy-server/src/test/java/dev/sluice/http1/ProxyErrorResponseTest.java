package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyErrorResponseTest {
    /** Found by HttpFrontHandlerFuzzTest: Netty's message for a bad header name quotes the name, NULs and all. */
    @Test
    void aDetailQuotingClientBytesReachesTheBodyAsPrintableAscii() {
        FullHttpResponse response = ProxyErrorResponse.create(ByteBufAllocator.DEFAULT, HttpResponseStatus.BAD_REQUEST,
                "http_request_error", "malformed request: bad header 'Transfe\u0000\u0000r-Encoding\u00ff\r\n'");
        try {
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo(
                    "400 Bad Request\nmalformed request: bad header 'Transfe??r-Encoding???'\n");
            assertThat(response.headers().get("Proxy-Status")).isEqualTo(
                    "sluice; error=http_request_error; details=\"malformed request: bad header 'Transfe??r-Encoding???'\"");
        } finally {
            response.release();
        }
    }
}
