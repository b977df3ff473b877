package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed values from YAML nodes. Each reader returns null after recording an error, so callers keep going and
 * the operator sees every mistake in one run.
 */
final class NodeReader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d{1,10}");

    private final Problems problems;

    NodeReader(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    /** Any scalar as text: {@code realm: 123} is the string "123". */
    String string(Node node, String path) {
        if (node instanceof ScalarNode scalar && !YamlMapping.isNull(scalar)) {
            return scalar.getValue();
        }
        problems.add(node, path, "expected a string, got " + describe(node));
        return null;
    }

    Integer integer(Node node, String path, int min, int max) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)
                && DECIMAL.matcher(scalar.getValue()).matches()) {
            long value = Long.parseLong(scalar.getValue());
            if (value >= min && value <= max) {
                return (int) value;
            }
            problems.add(node, path, "must be " + min + "-" + max + ", got " + value);
            return null;
        }
        problems.add(node, path, "expected a whole number, got " + describe(node));
        return null;
    }

    Boolean bool(Node node, String path) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            // YAML 1.1 booleans: true/false, yes/no, on/off.
            String value = scalar.getValue().toLowerCase(Locale.ROOT);
            return value.equals("true") || value.equals("yes") || value.equals("on");
        }
        problems.add(node, path, "expected true or false, got " + describe(node));
        return null;
    }

    /** {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d}; zero is refused because every timeout must fire. */
    Duration duration(Node node, String path) {
        return parsed(node, path, text -> {
            Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("expected a duration like 250ms, 10s, 5m, 1h or 7d, got '" + text + "'");
            }
            long amount = Long.parseLong(m.group(1));
            Duration duration = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (duration.isZero()) {
                throw new IllegalArgumentException("must be longer than zero");
            }
            return duration;
        });
    }

    /** A file path, kept as written (relative paths resolve against the working directory). */
    Path path(Node node, String path) {
        return parsed(node, path, text -> {
            if (text.isBlank()) {
                throw new IllegalArgumentException("expected a file path, got an empty string");
            }
            return Path.of(text);
        });
    }

    Action action(Node node, String path) {
        return parsed(node, path, text -> Arrays.stream(Action.values())
                .filter(a -> a.yamlName().equals(text))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected one of: " + Arrays.stream(Action.values())
                        .map(Action::yamlName).collect(Collectors.joining(", ")) + "; got '" + text + "'")));
    }

    HostPort hostPort(Node node, String path) {
        return parsed(node, path, HostPort::parse);
    }

    /** A list of ports: {@code 443}, {@code "8000-8999"}, or a list of those. */
    List<PortRange> ports(Node node, String path) {
        return list(node, path, (element, elementPath) -> parsed(element, elementPath, PortRange::parse));
    }

    List<Cidr> cidrs(Node node, String path) {
        return list(node, path, (element, elementPath) -> parsed(element, elementPath, Cidr::parse));
    }

    /** The value under {@code key} read by {@code read}; {@code fallback} when absent or wrong (error recorded). */
    <T> T optional(YamlMapping map, String key, T fallback, ValueReader<T> read) {
        Node node = map.take(key);
        if (node == null) {
            return fallback;
        }
        T value = read.read(node, map.child(key));
        return value == null ? fallback : value;
    }

    /**
     * A mapping with a fixed set of keys, built by {@code read}; keys {@code read} did not take are reported
     * afterwards. Null (error recorded) when {@code node} is not a mapping.
     */
    <T> T section(Node node, String path, Function<YamlMapping, T> read) {
        YamlMapping map = YamlMapping.of(node, path, problems);
        if (map == null) {
            return null;
        }
        T value = read.apply(map);
        map.rejectUnknown();
        return value;
    }

    /**
     * A sequence, or a single scalar standing for a one-element list ({@code port: 443}). Elements that fail
     * are left out (their errors are recorded).
     */
    <T> List<T> list(Node node, String path, ValueReader<T> reader) {
        List<T> values = new ArrayList<>();
        if (node instanceof SequenceNode sequence) {
            List<Node> elements = sequence.getValue();
            for (int i = 0; i < elements.size(); i++) {
                T value = reader.read(elements.get(i), path + "[" + i + "]");
                if (value != null) values.add(value);
            }
        } else if (node instanceof ScalarNode) {
            T value = reader.read(node, path);
            if (value != null) values.add(value);
        } else {
            problems.add(node, path, "expected a list, got " + describe(node));
        }
        return values;
    }

    /** A string turned into a value by {@code parser}, whose IllegalArgumentException becomes the error text. */
    <T> T parsed(Node node, String path, Function<String, T> parser) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            problems.add(node, path, e.getMessage());
            return null;
        }
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        if (YamlMapping.isNull(node)) return "nothing";
        return "'" + ((ScalarNode) node).getValue() + "'";
    }

    @FunctionalInterface
    interface ValueReader<T> {
        T read(Node node, String path);
    }
}
