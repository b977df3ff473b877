package dev.sluice.bench;

import static dev.sluice.bench.Json.round;
import static dev.sluice.bench.Samples.best;
import static dev.sluice.bench.Samples.median;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Best-of and median MiB/s of direct and proxied runs, the proxied/direct ratios, and the team's target for the
 * median ratio, printed beside it and never enforced.
 */
final class ThroughputReport {
    private final String benchmark;
    private final long bytes;
    private final List<Double> direct;
    private final List<Double> proxied;
    private final String proxy;
    private final double targetRatio;

    /**
     * @param benchmark   the command, e.g. {@code splice}
     * @param proxy       what the proxied runs went through, e.g. {@code Sluice as a separate process}
     * @param targetRatio the median ratio the issue asks for, e.g. 0.9
     */
    ThroughputReport(String benchmark, long bytes, List<Long> directNanos, List<Long> proxiedNanos, String proxy,
                     double targetRatio) {
        this.benchmark = benchmark;
        this.bytes = bytes;
        this.proxy = proxy;
        this.targetRatio = targetRatio;
        this.direct = directNanos.stream().map(n -> mibPerSecond(bytes, n)).sorted().toList();
        this.proxied = proxiedNanos.stream().map(n -> mibPerSecond(bytes, n)).sorted().toList();
    }

    static double mibPerSecond(long bytes, long nanos) {
        return bytes / (double) (1 << 20) / (nanos / 1e9);
    }

    double bestRatio() {
        return best(proxied) / best(direct);
    }

    double medianRatio() {
        return median(proxied) / median(direct);
    }

    String text() {
        return String.format(Locale.ROOT, """
                %s benchmark: %s per download, %d runs each, 127.0.0.1, via %s
                direct   best %9.1f MiB/s   median %9.1f MiB/s
                proxied  best %9.1f MiB/s   median %9.1f MiB/s
                ratio proxied/direct: best %.3f   median %.3f   (target: median >= %.2f, %s)""",
                benchmark, ByteSize.format(bytes), direct.size(), proxy, best(direct), median(direct), best(proxied),
                median(proxied), bestRatio(), medianRatio(), targetRatio,
                medianRatio() >= targetRatio ? "met" : "NOT met");
    }

    String json() {
        return Json.object(g -> {
            g.writeStringField("benchmark", benchmark);
            g.writeNumberField("bytes", bytes);
            g.writeNumberField("runs", direct.size());
            g.writeStringField("proxy", proxy);
            writeSide(g, "direct", direct);
            writeSide(g, "proxied", proxied);
            g.writeNumberField("bestRatio", round(bestRatio()));
            g.writeNumberField("medianRatio", round(medianRatio()));
            g.writeNumberField("targetMedianRatio", targetRatio);
        });
    }

    private static void writeSide(JsonGenerator g, String name, List<Double> mibPerSecond) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeArrayFieldStart("mibPerSecond");
        for (double v : mibPerSecond) g.writeNumber(round(v));
        g.writeEndArray();
        g.writeNumberField("best", round(best(mibPerSecond)));
        g.writeNumberField("median", round(median(mibPerSecond)));
        g.writeEndObject();
    }
}
