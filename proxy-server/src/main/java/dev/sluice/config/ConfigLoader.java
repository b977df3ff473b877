package dev.sluice.config;

import java.nio.file.Path;

/** SnakeYAML (safe) node tree to {@link SluiceConfig}; every error carries file, line and key. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static SluiceConfig load(Path file) throws ConfigException {
        throw new UnsupportedOperationException("implemented in config branch");
    }

    /** Parses YAML text; {@code sourceName} stands in for the file name in errors. */
    public static SluiceConfig parse(String yaml, String sourceName) throws ConfigException {
        throw new UnsupportedOperationException("implemented in config branch");
    }
}
