package dev.sluice.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes the header fields that describe one connection only (RFC 9110 §7.6.1), so they never cross the
 * proxy in either direction: the fixed set plus every field the {@code Connection} header names.
 * {@code Proxy-Authorization} and {@code Proxy-Authenticate} belong to the client-to-Sluice hop too.
 *
 * <p>Message framing is rebuilt by the caller from the decoded message, so a {@code Connection} header that
 * names {@code Content-Length} cannot change how a body is delimited.
 */
final class HopByHopHeaders {
    // Netty deprecates its constants for these two because they are hop-by-hop, which is why they are here.
    private static final List<AsciiString> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION, AsciiString.cached("proxy-connection"), AsciiString.cached("keep-alive"),
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE);

    private HopByHopHeaders() {
    }

    static void strip(HttpHeaders headers) {
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
