package dev.sluice.server;

import io.netty.util.NetUtil;

/**
 * Decides whether a state-changing admin request may go ahead: its {@code Host} header must name the listener by an
 * IP literal or {@code localhost}, with or without a port. The admin listener has no authentication, and a web page
 * an operator visits can have its own name re-resolved to the listener's address (DNS rebinding); the browser then
 * sends that page's name as {@code Host}, which this refuses. (A page that names the address itself cannot send a
 * cross-origin {@code DELETE}: the browser's CORS preflight gets 405.) Reads stay open to scrapers and probes that
 * use service names.
 */
final class RebindingGuard {
    /** The 403 answer's body. */
    static final String REFUSAL = "Host must be an IP address or localhost for DELETE (DNS rebinding guard)";
    private static final int MAX_PORT_DIGITS = 5;

    private RebindingGuard() {
    }

    /** @param host the request's {@code Host} header; null when it had none */
    static boolean allows(String host) {
        if (host == null) {
            return false;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 && NetUtil.isValidIpV6Address(host.substring(1, close))
                    && portOrNothing(host.substring(close + 1));
        }
        int colon = host.indexOf(':');
        String name = colon < 0 ? host : host.substring(0, colon);
        return (NetUtil.isValidIpV4Address(name) || name.equalsIgnoreCase("localhost"))
                && portOrNothing(colon < 0 ? "" : host.substring(colon));
    }

    /** Nothing, or {@code :} and a port number. */
    private static boolean portOrNothing(String rest) {
        if (rest.isEmpty()) {
            return true;
        }
        if (rest.charAt(0) != ':' || rest.length() == 1 || rest.length() > 1 + MAX_PORT_DIGITS) {
            return false;
        }
        for (int i = 1; i < rest.length(); i++) {
            if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
