package dev.sluice.grpc;

import java.nio.charset.StandardCharsets;

/**
 * Decodes a {@code grpc-message} value: the gRPC spec sends it as percent-encoded UTF-8 and asks a reader never to
 * fail on a bad one, so a {@code %} without two hex digits stays as it is and invalid UTF-8 becomes U+FFFD. The
 * text is the origin's (or a client's) and may be anything: it is cut to {@link #MAX_CHARS} for the access log.
 */
final class GrpcMessage {
    static final int MAX_CHARS = 1024;

    private GrpcMessage() {
    }

    static String decode(CharSequence value) {
        return bounded(needsDecoding(value) ? percentDecoded(value) : value.toString());
    }

    private static boolean needsDecoding(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' || c >= 0x80) {
                return true;
            }
        }
        return false;
    }

    /** HPACK values are bytes (one char each); any raw byte above 0x7f is taken as UTF-8 too. */
    private static String percentDecoded(CharSequence value) {
        byte[] out = new byte[value.length()];
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xff) {
                return value.toString(); // not bytes off the wire: nothing to decode
            }
            int high;
            int low;
            if (c == '%' && i + 2 < value.length() && (high = hex(value.charAt(i + 1))) >= 0
                    && (low = hex(value.charAt(i + 2))) >= 0) {
                out[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static String bounded(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return text.substring(0, end);
    }
}
