package dev.sluice.config;

/**
 * @param enabled whether access lines are written at all
 * @param path    {@code stdout} (default) or a file path lines are appended to
 */
public record AccessLogConfig(boolean enabled, String path) {
    public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, "stdout");
}
