package dev.sluice.policy;

import dev.sluice.config.AuthConfig;

/** Checks a {@code Proxy-Authorization: Basic ...} value against salted PBKDF2 hashes in constant time. */
public final class ProxyAuthenticator {
    public ProxyAuthenticator(AuthConfig auth) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    public boolean enabled() {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /**
     * Completes with the authenticated user name, or null when the header is missing, malformed or wrong.
     * Not complete at return when a password hash must be computed; callers hold reads until it is.
     */
    public java.util.concurrent.CompletableFuture<String> authenticate(String proxyAuthorizationHeader) {
        throw new UnsupportedOperationException("implemented in policy branch");
    }

    /** The {@code Proxy-Authenticate} challenge value. */
    public String challenge() {
        throw new UnsupportedOperationException("implemented in policy branch");
    }
}
