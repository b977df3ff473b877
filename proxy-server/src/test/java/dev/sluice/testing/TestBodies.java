package dev.sluice.testing;

import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/** Request and response bodies for tests that check bytes arrive intact. */
public final class TestBodies {
    private TestBodies() {
    }

    /** {@code size} bytes that are not all alike, so a lost, repeated or reordered piece shows; {@code seed} varies them. */
    public static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) bytes[i] = (byte) (i * seed + (i >>> 11));
        return bytes;
    }

    /** A body of unknown length ({@code piece} written and flushed {@code times} times), so OkHttp sends it chunked. */
    public static RequestBody chunked(byte[] piece, int times) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                for (int i = 0; i < times; i++) {
                    sink.write(piece);
                    sink.flush();
                }
            }
        };
    }
}
