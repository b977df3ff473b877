package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any {@code :path} names a service and method, or none, without failing; the names are what an origin normalizing
 * the path would route by, so spelling the path another way (escapes, a query, the normalized form itself) names
 * the same call and a call rule cannot be sidestepped.
 */
class GrpcRequestFuzzTest {
    @FuzzTest
    void aPathNamesTheSameCallHoweverItIsSpelled(byte[] input) {
        String path = new String(input, StandardCharsets.UTF_8);
        GrpcRequest call = GrpcRequest.ofPath(path);

        assertThat(call.named()).isEqualTo(call.method() != null);
        if (call.named()) {
            assertThat(call.service()).isNotEmpty().doesNotContain("/").isNotIn(".", "..");
            assertThat(call.method()).isNotEmpty().doesNotContain("/").isNotIn(".", "..");
            if (plain(call.service()) && plain(call.method())) {
                assertThat(GrpcRequest.ofPath("/" + call.service() + "/" + call.method()))
                        .as("the normalized path names the same call").isEqualTo(call);
            }
        }
        if (plain(path)) {
            assertThat(GrpcRequest.ofPath(path + "?a=b#c")).as("with a query").isEqualTo(call);
            assertThat(GrpcRequest.ofPath(escaped(path))).as("every byte escaped").isEqualTo(call);
        }
    }

    /** Nothing an escape or a query could change. */
    private static boolean plain(String text) {
        return text.indexOf('%') < 0 && text.indexOf('?') < 0 && text.indexOf('#') < 0;
    }

    /** Every byte of the path's UTF-8 form as {@code %XX}. */
    private static String escaped(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }
}
