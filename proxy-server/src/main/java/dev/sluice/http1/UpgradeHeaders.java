package dev.sluice.http1;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * {@code Upgrade} and {@code Connection: upgrade} are hop-by-hop, yet a relay that passes an upgrade through (a
 * WebSocket handshake) must keep them on the request and on the 101 so that both ends switch together.
 */
final class UpgradeHeaders {
    private UpgradeHeaders() {
    }

    /** Whether a message asks to switch protocols: an {@code Upgrade} field that {@code Connection} names. */
    static boolean present(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Puts back on {@code relayed} (already stripped of hop-by-hop fields) the upgrade fields of {@code received}. */
    static void restore(HttpHeaders received, HttpHeaders relayed) {
        relayed.set(HttpHeaderNames.UPGRADE, received.getAll(HttpHeaderNames.UPGRADE));
        relayed.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
}
