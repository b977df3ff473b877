package dev.sluice.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * {@code Upgrade} and {@code Connection: upgrade} are hop-by-hop, yet a relay that passes an upgrade through (a
 * WebSocket handshake) must keep them on the request and on the 101 so that both ends switch together.
 */
final class UpgradeHeaders {
    private static final String H2C = "h2c";

    private UpgradeHeaders() {
    }

    /**
     * Whether a message asks to switch protocols: an {@code Upgrade} field that {@code Connection} names. Never to
     * {@code h2c}: after a {@code 101} the pair is a raw relay, and HTTP/2 inside it would carry gRPC calls past the
     * call rules; without the fields (hop-by-hop) the origin answers the request as it is.
     */
    static boolean present(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && !headers.containsValue(HttpHeaderNames.UPGRADE, H2C, true);
    }

    /** Puts back on {@code relayed} (already stripped of hop-by-hop fields) the upgrade fields of {@code received}. */
    static void restore(HttpHeaders received, HttpHeaders relayed) {
        relayed.set(HttpHeaderNames.UPGRADE, received.getAll(HttpHeaderNames.UPGRADE));
        relayed.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
}
