package dev.sluice.config;

import java.time.Duration;

/**
 * The {@code reload:} block: when {@code run} re-reads its config file by itself (SIGHUP always reloads).
 *
 * @param watch    whether the config file and the files it names (CA, upstream trust) are polled for changes
 * @param interval how often they are polled; a change is applied once two polls in a row see the same contents
 */
public record ReloadConfig(boolean watch, Duration interval) {
    public static final ReloadConfig DEFAULTS = new ReloadConfig(true, Duration.ofSeconds(2));
    /** Polling hashes every watched file: faster than this only burns CPU. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
}
