package dev.sluice.policy;

import java.net.InetAddress;

/**
 * SSRF guard on the <em>resolved</em> address (so DNS rebinding cannot bypass it): loopback, link-local
 * (169.254.0.0/16, fe80::/10), unspecified, multicast and the proxy's own listen addresses are refused unless
 * the decision's {@code allowDestinations} holds the address.
 */
public final class DestinationGuard {
    /** @param ownAddresses the addresses Sluice itself listens on (port-insensitive) */
    public DestinationGuard(java.util.Collection<InetAddress> ownAddresses) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /** Null when allowed, else a short reason such as {@code "loopback destination"}. */
    public String refusal(InetAddress resolved, Decision decision) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }
}
