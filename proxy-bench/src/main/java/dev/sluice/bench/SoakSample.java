package dev.sluice.bench;

import java.io.IOException;
import java.util.OptionalLong;

/**
 * Sluice's resources at one moment: descriptors and threads from {@code /proc}, memory as {@link MemorySample}
 * reads it, and the JVM's own count of direct buffer bytes ({@code jvm_buffer_memory_used_bytes{id="direct"}},
 * which includes Netty's pooled chunks when Netty allocates through NIO).
 */
record SoakSample(int openFiles, int threads, MemorySample memory, OptionalLong jvmDirectBytes) {
    static SoakSample of(ForkedSluice sluice) throws IOException, InterruptedException {
        long pid = sluice.pid();
        String metrics = sluice.scrapeMetrics();
        return new SoakSample(LinuxProc.openFiles(pid), LinuxProc.threads(pid), MemorySample.of(pid, metrics),
                MemorySample.asLong(PrometheusText.sum(metrics, "jvm_buffer_memory_used_bytes", "id", "direct")));
    }

    /** The larger of each figure: the peak over samples taken during the load. */
    SoakSample max(SoakSample other) {
        return new SoakSample(Math.max(openFiles, other.openFiles), Math.max(threads, other.threads),
                new MemorySample(Math.max(memory.rssBytes(), other.memory.rssBytes()),
                        max(memory.nettyDirectBytes(), other.memory.nettyDirectBytes()),
                        max(memory.heapUsedBytes(), other.memory.heapUsedBytes())),
                max(jvmDirectBytes, other.jvmDirectBytes));
    }

    private static OptionalLong max(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return OptionalLong.of(Math.max(a.getAsLong(), b.getAsLong()));
    }
}
