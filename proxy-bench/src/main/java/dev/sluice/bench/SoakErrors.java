package dev.sluice.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's unexpected client-side errors, counted by kind ({@code tunnel echo}, {@code grpc stream UNAVAILABLE},
 * ...), with the first message of each kind kept as its example. Thread-safe: every load reports here.
 */
final class SoakErrors {
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<String, String> examples = new ConcurrentHashMap<>();

    void add(String kind, Throwable error) {
        add(kind, String.valueOf(error));
    }

    void add(String kind, String example) {
        counts.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        examples.putIfAbsent(kind, example);
    }

    long total() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** One line per kind, sorted: {@code count  kind  (e.g. first message)}. */
    String lines() {
        StringBuilder text = new StringBuilder();
        Map<String, AtomicLong> sorted = new TreeMap<>(counts);
        sorted.forEach((kind, count) -> text.append(String.format("  %6d  %s  (e.g. %s)%n", count.get(), kind,
                examples.get(kind))));
        return text.toString();
    }
}
