package dev.sluice.config;

/** What Sluice does with a connection. {@code BUMP} arrives with TLS interception. */
public enum Action {
    SPLICE, DENY;

    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
