package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** Best-of and median MiB/s of direct and proxied runs, and the proxied/direct ratios. */
final class ThroughputReport {
    private final long bytes;
    private final List<Double> direct;
    private final List<Double> proxied;
    private final String proxy;

    /** @param proxy what the proxied runs went through, e.g. {@code Sluice as a separate process} */
    ThroughputReport(long bytes, List<Long> directNanos, List<Long> proxiedNanos, String proxy) {
        this.bytes = bytes;
        this.proxy = proxy;
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
        return String.format("""
                splice benchmark: %s per download, %d runs each, 127.0.0.1, via %s
                direct   best %9.1f MiB/s   median %9.1f MiB/s
                proxied  best %9.1f MiB/s   median %9.1f MiB/s
                ratio proxied/direct: best %.3f   median %.3f""",
                ByteSize.format(bytes), direct.size(), proxy, best(direct), median(direct), best(proxied), median(proxied),
                bestRatio(), medianRatio());
    }

    String json() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("benchmark", "splice");
            g.writeNumberField("bytes", bytes);
            g.writeNumberField("runs", direct.size());
            g.writeStringField("proxy", proxy);
            writeSide(g, "direct", direct);
            writeSide(g, "proxied", proxied);
            g.writeNumberField("bestRatio", round(bestRatio()));
            g.writeNumberField("medianRatio", round(medianRatio()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
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

    private static double best(List<Double> sorted) {
        return sorted.get(sorted.size() - 1);
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
