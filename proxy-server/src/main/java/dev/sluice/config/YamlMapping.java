package dev.sluice.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping read by key. Duplicate and non-string keys are reported when it is opened; keys nobody
 * {@link #take took} are reported by {@link #rejectUnknown()}, so the set of known keys is exactly the set
 * of keys the loader reads.
 */
final class YamlMapping {
    private final Node node;
    private final String path;
    private final Problems problems;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    private YamlMapping(MappingNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        for (NodeTuple tuple : node.getValue()) {
            String key = keyText(tuple.getKeyNode());
            if (key == null) {
                problems.add(tuple.getKeyNode(), path, "keys must be plain strings");
                continue;
            }
            NodeTuple first = entries.putIfAbsent(key, tuple);
            if (first != null) {
                problems.add(tuple.getKeyNode(), child(key),
                        "duplicate key (first at line " + Problems.line(first.getKeyNode()) + ")");
            }
        }
    }

    /** The mapping at {@code node}, or null (with an error recorded) when it is something else. */
    static YamlMapping of(Node node, String path, Problems problems) {
        if (node instanceof MappingNode mapping) {
            return new YamlMapping(mapping, path, problems);
        }
        problems.add(node, path, "expected a mapping (key: value lines), got " + NodeReader.describe(node));
        return null;
    }

    /** The value under {@code key}, or null when absent or written as an empty value. Marks the key known. */
    Node take(String key) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        if (tuple == null || isNull(tuple.getValueNode())) {
            return null;
        }
        return tuple.getValueNode();
    }

    /** Whether {@code key} is written at all, even without a value; does not mark it known. */
    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The key node of {@code key} when written (with or without a value), for errors on its line; else null. */
    Node keyNode(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getKeyNode();
    }

    /** Like {@link #take} but records "is required" when the value is missing. */
    Node require(String key) {
        Node value = take(key);
        if (value == null) {
            problems.add(node, child(key), "is required");
        }
        return value;
    }

    /** Every entry, for mappings whose keys are data (hosts, users) rather than a fixed schema. */
    Map<String, NodeTuple> entries() {
        known.addAll(entries.keySet());
        return entries;
    }

    void rejectUnknown() {
        entries.forEach((key, tuple) -> {
            if (!known.contains(key)) {
                problems.add(tuple.getKeyNode(), child(key), "unknown key; expected one of: " + String.join(", ", known));
            }
        });
    }

    String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    Node node() {
        return node;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    private static String keyText(Node key) {
        return key instanceof ScalarNode scalar && !isNull(scalar) ? scalar.getValue() : null;
    }
}
