package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times direct and proxied transfers of the same size alternately, after unmeasured warm-up runs of each, so that
 * drift on a shared machine (JIT, other load) hits both sides alike.
 */
final class AlternatingRuns {
    /** One transfer of the configured size; returns its elapsed nanoseconds. */
    interface TimedTransfer {
        long run() throws IOException;
    }

    private final int warmup;
    private final int runs;
    private final PrintStream progress;

    /** @param progress where each run's figures go as it ends, or null for none (e.g. with {@code --json}) */
    AlternatingRuns(int warmup, int runs, PrintStream progress) {
        if (runs < 1 || warmup < 0) throw new IllegalArgumentException("need --runs >= 1 and --warmup >= 0");
        this.warmup = warmup;
        this.runs = runs;
        this.progress = progress;
    }

    ThroughputReport measure(String benchmark, long bytes, TimedTransfer direct, TimedTransfer proxied,
                             String proxyName, double targetRatio) throws IOException {
        for (int i = 0; i < warmup; i++) {
            direct.run();
            proxied.run();
        }
        List<Long> directNanos = new ArrayList<>();
        List<Long> proxiedNanos = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            directNanos.add(direct.run());
            proxiedNanos.add(proxied.run());
            if (progress != null) {
                progress.printf(Locale.ROOT, "run %d  direct %9.1f MiB/s   proxied %9.1f MiB/s%n", i + 1,
                        ThroughputReport.mibPerSecond(bytes, directNanos.get(i)),
                        ThroughputReport.mibPerSecond(bytes, proxiedNanos.get(i)));
            }
        }
        return new ThroughputReport(benchmark, bytes, directNanos, proxiedNanos, proxyName, targetRatio);
    }
}
