package dev.sluice.bench;

import static dev.sluice.bench.Json.round;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** One side of a unary-call comparison: its windows, the median of their rates, percentiles over all latencies. */
final class UnarySide {
    private final List<UnaryWindow> windows;
    private final double medianCallsPerSecond;
    private final long p50;
    private final long p99;

    UnarySide(List<UnaryWindow> windows) {
        if (windows.isEmpty()) throw new IllegalArgumentException("no windows");
        this.windows = List.copyOf(windows);
        this.medianCallsPerSecond = Samples.median(windows.stream().map(UnaryWindow::callsPerSecond).sorted().toList());
        long[] all = windows.stream().flatMapToLong(w -> Arrays.stream(w.latencyNanos())).sorted().toArray();
        this.p50 = Samples.percentile(all, 0.50);
        this.p99 = Samples.percentile(all, 0.99);
    }

    List<UnaryWindow> windows() {
        return windows;
    }

    /** The length of the first window. */
    double windowSeconds() {
        return windows.get(0).windowNanos() / 1e9;
    }

    double medianCallsPerSecond() {
        return medianCallsPerSecond;
    }

    long p50() {
        return p50;
    }

    long p99() {
        return p99;
    }

    /** An object field {@code name}: each window's rate, the median, p50 and p99 in milliseconds. */
    void write(JsonGenerator g, String name) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeArrayFieldStart("callsPerSecond");
        for (UnaryWindow w : windows) g.writeNumber(round(w.callsPerSecond()));
        g.writeEndArray();
        g.writeNumberField("medianCallsPerSecond", round(medianCallsPerSecond));
        g.writeNumberField("p50Millis", round(millis(p50)));
        g.writeNumberField("p99Millis", round(millis(p99)));
        g.writeEndObject();
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }
}
