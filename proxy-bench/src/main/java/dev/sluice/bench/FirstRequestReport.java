package dev.sluice.bench;

import static dev.sluice.bench.Json.round;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Latency of a first request on a new connection: straight to the origin, through the bump to a host whose leaf
 * Sluice has cached, and through the bump to a host it has never seen (a leaf is minted). Prints median and p90 of
 * each and what a new host adds over a cached one, beside the target, which is never enforced.
 */
final class FirstRequestReport {
    static final double TARGET_ADDED_MILLIS = 5.0;

    private final String proxy;
    private final Optional<LeafMintTimes> mints;
    private final long[] direct;
    private final long[] cached;
    private final long[] fresh;

    /**
     * Each list holds elapsed nanoseconds, connect to the end of the response, one per request; {@code mints} is
     * Sluice's own timing of its mints over the whole run, warm-up included, when its metrics have it.
     */
    FirstRequestReport(String proxy, List<Long> direct, List<Long> cached, List<Long> fresh,
                       Optional<LeafMintTimes> mints) {
        this.proxy = proxy;
        this.mints = mints;
        this.direct = sorted(direct);
        this.cached = sorted(cached);
        this.fresh = sorted(fresh);
    }

    /** Median of new-host requests minus median of cached-host ones. */
    double addedMillis() {
        return medianMillis(fresh) - medianMillis(cached);
    }

    String text() {
        return String.format(Locale.ROOT, """
                first-request benchmark: %d requests of each kind, each on a new connection with a new client TLS \
                context, 127.0.0.1, via %s
                direct                 median %7.3f ms   p90 %7.3f ms
                bumped, cached host    median %7.3f ms   p90 %7.3f ms
                bumped, new host       median %7.3f ms   p90 %7.3f ms
                a new host adds %.3f ms over a cached one (median)   (target: < %.0f ms, %s)
                Sluice's leaf mints (its /metrics): %s""",
                fresh.length, proxy,
                medianMillis(direct), p90Millis(direct), medianMillis(cached), p90Millis(cached),
                medianMillis(fresh), p90Millis(fresh),
                addedMillis(), TARGET_ADDED_MILLIS, addedMillis() < TARGET_ADDED_MILLIS ? "met" : "NOT met",
                mints.map(m -> String.format(Locale.ROOT, "mean %.3f ms over %d mints", m.meanMillis(), m.mints()))
                        .orElse("not in /metrics"));
    }

    String json() {
        return Json.object(g -> {
            g.writeStringField("benchmark", "first-request");
            g.writeStringField("proxy", proxy);
            write(g, "direct", direct);
            write(g, "bumpedCachedHost", cached);
            write(g, "bumpedNewHost", fresh);
            g.writeNumberField("addedMillis", round(addedMillis()));
            g.writeNumberField("targetAddedMillis", TARGET_ADDED_MILLIS);
            if (mints.isPresent()) {
                g.writeObjectFieldStart("sluiceLeafMints");
                g.writeNumberField("count", mints.get().mints());
                g.writeNumberField("meanMillis", round(mints.get().meanMillis()));
                g.writeEndObject();
            }
        });
    }

    private static void write(JsonGenerator g, String name, long[] nanos) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("requests", nanos.length);
        g.writeNumberField("medianMillis", round(medianMillis(nanos)));
        g.writeNumberField("p90Millis", round(p90Millis(nanos)));
        g.writeEndObject();
    }

    private static long[] sorted(List<Long> nanos) {
        if (nanos.isEmpty()) throw new IllegalArgumentException("no requests");
        return nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static double medianMillis(long[] sorted) {
        return Samples.median(Arrays.stream(sorted).mapToObj(n -> n / 1e6).toList());
    }

    private static double p90Millis(long[] sorted) {
        return Samples.percentile(sorted, 0.90) / 1e6;
    }
}
