package dev.sluice.config;

/**
 * One problem in a config file. {@code key} is a dotted path such as {@code rules[2].match.port}.
 * Printed as {@code file:line: key: message}.
 */
public record ConfigError(String file, int line, String key, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ": " + key + ": " + message;
    }
}
