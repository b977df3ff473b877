package dev.sluice.bench;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Command-line options of the download benchmarks ({@code splice}, {@code h2-bulk}), and what follows from them. */
final class DownloadOptions {
    @Option(names = "--bytes", defaultValue = "1g", converter = ByteSize.class,
            description = "Bytes per download, e.g. 1g, 256m (default: ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs of each kind (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1",
            description = "Unmeasured runs of each kind first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--timeout", defaultValue = "120",
            description = "Seconds one download may take before the run fails (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** The runs these options ask for; checks them first. */
    AlternatingRuns alternatingRuns() {
        if (timeoutSeconds < 1) throw new IllegalArgumentException("need --timeout >= 1");
        return new AlternatingRuns(warmup, runs, json ? null : System.out);
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    void print(ThroughputReport report) {
        System.out.println(json ? report.json() : report.text());
    }
}
