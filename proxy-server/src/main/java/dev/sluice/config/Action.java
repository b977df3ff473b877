package dev.sluice.config;

import java.util.Locale;

/**
 * What Sluice does with a connection: relay its bytes blindly, refuse it, or terminate its TLS with a minted leaf
 * and re-originate TLS upstream. Rules matching {@code grpc:} decide single calls inside a bumped connection instead:
 * {@code allow} (only there) lets the call through, {@code deny} answers it {@code PERMISSION_DENIED}.
 */
public enum Action {
    SPLICE, DENY, BUMP, ALLOW;

    /** Made once: the name lands in every access-log line and decision metric. */
    private final String yamlName = name().toLowerCase(Locale.ROOT);

    public String yamlName() {
        return yamlName;
    }
}
