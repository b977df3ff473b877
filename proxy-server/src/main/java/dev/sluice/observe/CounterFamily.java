package dev.sluice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counters of one name that differ in one tag, cached by that tag's value so a call does no registry
 * lookup. The number of distinct values is capped: past the cap every new value counts under
 * {@link #OVERFLOW}, so a bug or hostile input cannot grow the registry (and every scrape) without bound.
 */
final class CounterFamily {
    static final String OVERFLOW = "other";

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Tags fixedTags;
    private final String tagKey;
    private final int limit;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    CounterFamily(MeterRegistry registry, String name, String description, Tags fixedTags, String tagKey, int limit) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.fixedTags = fixedTags;
        this.tagKey = tagKey;
        this.limit = limit;
    }

    Counter counter(String value) {
        Counter counter = counters.get(value);
        if (counter != null) {
            return counter;
        }
        String key = counters.size() < limit ? value : OVERFLOW;
        return counters.computeIfAbsent(key, this::register);
    }

    private Counter register(String value) {
        return Counter.builder(name).description(description).tags(fixedTags).tag(tagKey, value).register(registry);
    }
}
