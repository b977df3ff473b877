package dev.sluice.bench;

import java.util.OptionalLong;

/**
 * Sluice's memory at one moment: resident set from {@code /proc}, and from its {@code /metrics} the Netty
 * allocators' direct memory and the used Java heap (either empty when the exposition lacks it).
 */
record MemorySample(long rssBytes, OptionalLong nettyDirectBytes, OptionalLong heapUsedBytes) {
}
