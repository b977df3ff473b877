package dev.sluice.testing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed Prometheus text exposition, queried by metric name and label subset. */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+).*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;
    private final List<Sample> samples;

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private PrometheusText(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = text.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(SAMPLE::matcher)
                .filter(Matcher::matches)
                .map(m -> new Sample(m.group(1), labels(m.group(3)), Double.parseDouble(m.group(4))))
                .toList();
        return new PrometheusText(text, samples);
    }

    /**
     * The sum of every sample of {@code name} whose labels include the given pairs, e.g.
     * {@code value("sluice_decisions_total", "action", "deny")}; 0 when there is none.
     */
    public double value(String name, String... labelPairs) {
        if (labelPairs.length % 2 != 0) throw new IllegalArgumentException("label pairs come in twos");
        double sum = 0;
        for (Sample sample : samples) {
            if (sample.name.equals(name) && hasLabels(sample.labels, labelPairs)) sum += sample.value;
        }
        return sum;
    }

    /** The distinct combinations of the {@code keys} labels' values among the samples of {@code name}. */
    public List<Map<String, String>> labelSets(String name, String... keys) {
        return samples.stream()
                .filter(sample -> sample.name.equals(name))
                .map(sample -> {
                    Map<String, String> set = new LinkedHashMap<>();
                    for (String key : keys) set.put(key, sample.labels.get(key));
                    return set;
                })
                .distinct()
                .toList();
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean hasLabels(Map<String, String> labels, String[] pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i + 1].equals(labels.get(pairs[i]))) return false;
        }
        return true;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        if (text == null) return labels;
        Matcher m = LABEL.matcher(text);
        while (m.find()) labels.put(m.group(1), unescaped(m.group(2)));
        return labels;
    }

    /** The exposition format escapes a label value's backslash, double quote and newline. */
    private static String unescaped(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char next = value.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
