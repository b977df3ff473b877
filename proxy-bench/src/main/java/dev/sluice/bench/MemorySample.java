package dev.sluice.bench;

import java.io.IOException;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Sluice's memory at one moment: resident set from {@code /proc}, and from its {@code /metrics} the Netty
 * allocators' direct memory and the used Java heap (either empty when the exposition lacks it).
 */
record MemorySample(long rssBytes, OptionalLong nettyDirectBytes, OptionalLong heapUsedBytes) {
    /** Sluice's figures now: {@code pid}'s resident set, and the rest from {@code metrics}, its scraped exposition. */
    static MemorySample of(long pid, String metrics) throws IOException {
        return new MemorySample(LinuxProc.vmRssBytes(pid),
                asLong(PrometheusText.sum(metrics, "netty_allocator_memory_used", "memory_type", "direct")),
                asLong(PrometheusText.sum(metrics, "jvm_memory_used_bytes", "area", "heap")));
    }

    static OptionalLong asLong(OptionalDouble value) {
        return value.isPresent() ? OptionalLong.of((long) value.getAsDouble()) : OptionalLong.empty();
    }
}
