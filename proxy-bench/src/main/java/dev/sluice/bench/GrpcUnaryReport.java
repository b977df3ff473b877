package dev.sluice.bench;

import static dev.sluice.bench.Json.round;

import java.util.List;
import java.util.Locale;

/**
 * Unary calls per second direct and bumped (median of the windows), their ratio, and p50/p99 latency of each side
 * over all its windows, with the targets (ratio at least {@link #TARGET_RATIO}, p99 added by the bump
 * under {@link #TARGET_ADDED_P99_MILLIS} ms) printed beside the figures and never enforced.
 */
final class GrpcUnaryReport {
    static final double TARGET_RATIO = 0.5;
    static final double TARGET_ADDED_P99_MILLIS = 1.0;

    private final int inFlight;
    private final int messageBytes;
    private final String proxy;
    private final UnarySide direct;
    private final UnarySide bumped;

    GrpcUnaryReport(int inFlight, int messageBytes, String proxy, List<UnaryWindow> direct, List<UnaryWindow> bumped) {
        this.inFlight = inFlight;
        this.messageBytes = messageBytes;
        this.proxy = proxy;
        this.direct = new UnarySide(direct);
        this.bumped = new UnarySide(bumped);
    }

    double ratio() {
        return bumped.medianCallsPerSecond() / direct.medianCallsPerSecond();
    }

    double addedP99Millis() {
        return millis(bumped.p99() - direct.p99());
    }

    String text() {
        return String.format(Locale.ROOT, """
                grpc-unary benchmark: %d calls in flight on one channel, %d-byte messages, %d windows of %.0f s each, \
                127.0.0.1, via %s
                direct   median %9.0f calls/s   p50 %7.3f ms   p99 %7.3f ms
                bumped   median %9.0f calls/s   p50 %7.3f ms   p99 %7.3f ms
                ratio bumped/direct: %.3f   (target: >= %.2f, %s)
                p99 added by the bump: %.3f ms   (target: < %.0f ms, %s)""",
                inFlight, messageBytes, direct.windows().size(), direct.windowSeconds(), proxy,
                direct.medianCallsPerSecond(), millis(direct.p50()), millis(direct.p99()),
                bumped.medianCallsPerSecond(), millis(bumped.p50()), millis(bumped.p99()),
                ratio(), TARGET_RATIO, ratio() >= TARGET_RATIO ? "met" : "NOT met",
                addedP99Millis(), TARGET_ADDED_P99_MILLIS, addedP99Millis() < TARGET_ADDED_P99_MILLIS ? "met" : "NOT met");
    }

    String json() {
        return Json.object(g -> {
            g.writeStringField("benchmark", "grpc-unary");
            g.writeNumberField("inFlight", inFlight);
            g.writeNumberField("messageBytes", messageBytes);
            g.writeStringField("proxy", proxy);
            direct.write(g, "direct");
            bumped.write(g, "bumped");
            g.writeNumberField("ratio", round(ratio()));
            g.writeNumberField("addedP99Millis", round(addedP99Millis()));
            g.writeNumberField("targetRatio", TARGET_RATIO);
            g.writeNumberField("targetAddedP99Millis", TARGET_ADDED_P99_MILLIS);
        });
    }

    private static double millis(long nanos) {
        return UnarySide.millis(nanos);
    }
}
