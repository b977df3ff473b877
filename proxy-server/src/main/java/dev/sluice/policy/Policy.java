package dev.sluice.policy;

import dev.sluice.config.SluiceConfig;

/**
 * Pure decisions from an immutable config; no IO. Thread-safe.
 * Order: client allowlist, then (for CONNECT) the port allowlist, then rules (first match wins), then default.
 */
public final class Policy {
    public static Policy from(SluiceConfig config) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /** Whether the client may use the proxy at all (checked at accept, before reading anything). */
    public boolean clientAllowed(java.net.InetAddress client) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /** A CONNECT: access checks including the connect port allowlist, then rules. */
    public Decision decideConnect(ConnectionFacts facts) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /** An absolute-form http:// request: rules only (any port may be forwarded to). */
    public Decision decideForward(ConnectionFacts facts) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }
}
