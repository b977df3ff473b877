package dev.sluice.config;

import java.util.Locale;

/**
 * What Sluice does with a connection: relay its bytes blindly, refuse it, or terminate its TLS with a minted leaf
 * and re-originate TLS upstream.
 */
public enum Action {
    SPLICE, DENY, BUMP;

    /** Made once: the name lands in every access-log line and decision metric. */
    private final String yamlName = name().toLowerCase(Locale.ROOT);

    public String yamlName() {
        return yamlName;
    }
}
