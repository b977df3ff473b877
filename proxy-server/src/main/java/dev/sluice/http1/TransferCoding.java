package dev.sluice.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Which request transfer codings Sluice relays: only {@code chunked}, alone. Netty's decoder already refuses a
 * request whose codings do not end in one {@code chunked}, or that also has a {@code Content-Length}; what it
 * lets through besides is a coding before {@code chunked} ({@code gzip, chunked}) or parameters on it. Sluice
 * rebuilds the framing for the origin as plain {@code chunked}, so it would hand on a body still coded in a way
 * the origin is no longer told about; it answers 501 instead (RFC 9112 §6.1).
 */
public final class TransferCoding {
    private TransferCoding() {
    }

    /** The request's {@code Transfer-Encoding} when it is anything but absent or exactly {@code chunked}, else null. */
    public static String unsupported(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (values.isEmpty() || (values.size() == 1 && values.get(0).trim().equalsIgnoreCase("chunked"))) {
            return null;
        }
        return String.join(", ", values);
    }
}
