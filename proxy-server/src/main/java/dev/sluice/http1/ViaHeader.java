package dev.sluice.http1;

import dev.sluice.relay.ProxyStatus;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/** Records Sluice in {@code Via} (RFC 9110 §7.6.3), after any intermediaries already listed. */
final class ViaHeader {
    private ViaHeader() {
    }

    /** @param received the protocol version of the message as Sluice received it */
    static void append(HttpHeaders headers, HttpVersion received) {
        String self = received.majorVersion() + "." + received.minorVersion() + " " + ProxyStatus.PROXY_NAME;
        // One field line, so a reader taking only the first or the last value still sees the whole chain.
        String earlier = String.join(", ", headers.getAll(HttpHeaderNames.VIA));
        headers.set(HttpHeaderNames.VIA, earlier.isEmpty() ? self : earlier + ", " + self);
    }
}
