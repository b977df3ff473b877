package dev.sluice.config;

import java.util.Locale;

/** What Sluice does with a connection. {@code BUMP} arrives with TLS interception. */
public enum Action {
    SPLICE, DENY;

    /** Made once: the name lands in every access-log line and decision metric. */
    private final String yamlName = name().toLowerCase(Locale.ROOT);

    public String yamlName() {
        return yamlName;
    }
}
