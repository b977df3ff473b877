package dev.sluice.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Every error found in one file so far; loading goes on after each so the operator sees them all at once. */
final class Problems {
    static final String TOP_LEVEL = "(top level)";

    private final String source;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void add(Node node, String key, String message) {
        add(line(node), key, message);
    }

    void add(int line, String key, String message) {
        errors.add(new ConfigError(source, line, key.isEmpty() ? TOP_LEVEL : key, message));
    }

    /** How many errors so far: a reader compares counts to tell whether a part it just read was sound. */
    int count() {
        return errors.size();
    }

    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            // Reported in file order; unknown keys are found last but belong where they are written.
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt(ConfigError::line));
            throw new ConfigException(sorted);
        }
    }

    /** The 1-based line a node starts on. */
    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
