package dev.sluice.bench;

import java.util.OptionalDouble;

/** Reads gauges out of a Prometheus text exposition, as Sluice's admin {@code /metrics} serves it. */
final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of every sample of {@code name} whose labels include {@code label="value"} (all samples when
     * {@code label} is null), or empty when there is none: e.g. Netty's direct memory over all allocators.
     */
    static OptionalDouble sum(String exposition, String name, String label, String value) {
        String wanted = label == null ? null : label + "=\"" + value + "\"";
        double total = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) continue;
            String rest = line.substring(name.length());
            String labels = "";
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                if (close < 0) continue;
                labels = rest.substring(1, close);
                rest = rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // a longer name that merely starts with this one
            }
            if (wanted != null && !(labels.startsWith(wanted) || labels.contains("," + wanted))) continue;
            String[] fields = rest.trim().split("\\s+"); // value, then an optional timestamp
            total += Double.parseDouble(fields[0]);
            found = true;
        }
        return found ? OptionalDouble.of(total) : OptionalDouble.empty();
    }
}
