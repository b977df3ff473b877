package dev.sluice.bench;

import static dev.sluice.bench.Json.round;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the per-call gRPC view costs: unary calls per second through a bump with {@code grpc.callView} off and on
 * (median of the windows), the rate lost with it on, p50/p99 latency of each, Sluice's CPU time per call (median of
 * the windows) and what the view adds to it, and how many calls the view counted,
 * with the target (under {@link #TARGET_LOSS} lost) printed beside the figures and never enforced. The
 * target is judged on the paired loss, the median over runs of each run's on/off ratio: the two windows of a run are
 * adjacent in time, so drift on a shared machine (other load, the JIT) hits both alike.
 */
final class GrpcViewReport {
    static final double TARGET_LOSS = 0.05;

    private final int inFlight;
    private final int messageBytes;
    private final String proxy;
    private final UnarySide off;
    private final UnarySide on;
    private final List<Double> offCpuMicros;
    private final List<Double> onCpuMicros;
    private final long callsCounted;

    /**
     * @param offCpuMicros Sluice CPU microseconds per call in each view-off window
     * @param onCpuMicros  likewise with the view on
     * @param callsCounted {@code sluice_grpc_calls_total} of the Sluice with the view on, at the end
     */
    GrpcViewReport(int inFlight, int messageBytes, String proxy, List<UnaryWindow> off, List<UnaryWindow> on,
                   List<Double> offCpuMicros, List<Double> onCpuMicros, long callsCounted) {
        this.inFlight = inFlight;
        this.messageBytes = messageBytes;
        this.proxy = proxy;
        this.off = new UnarySide(off);
        this.on = new UnarySide(on);
        this.offCpuMicros = List.copyOf(offCpuMicros);
        this.onCpuMicros = List.copyOf(onCpuMicros);
        this.callsCounted = callsCounted;
    }

    /** The fraction of the view-off median rate lost with the view on; negative when on was faster. */
    double loss() {
        return 1 - on.medianCallsPerSecond() / off.medianCallsPerSecond();
    }

    /** One minus the median over runs of (view-on rate / view-off rate) within the run. */
    double pairedLoss() {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(off.windows().size(), on.windows().size()); i++) {
            ratios.add(on.windows().get(i).callsPerSecond() / off.windows().get(i).callsPerSecond());
        }
        Collections.sort(ratios);
        return 1 - Samples.median(ratios);
    }

    /** Median Sluice CPU microseconds per call with the view off. */
    double offCpuMicros() {
        return median(offCpuMicros);
    }

    double onCpuMicros() {
        return median(onCpuMicros);
    }

    /** The fraction of Sluice CPU per call the view adds (medians). */
    double cpuAdded() {
        return onCpuMicros() / offCpuMicros() - 1;
    }

    private static double median(List<Double> values) {
        return Samples.median(values.stream().sorted().toList());
    }

    String text() {
        return String.format(Locale.ROOT, """
                grpc-view benchmark: %d calls in flight on one channel, %d-byte messages, %d windows of %.0f s each \
                per side, 127.0.0.1, via %s
                view off   median %9.0f calls/s   p50 %7.3f ms   p99 %7.3f ms
                view on    median %9.0f calls/s   p50 %7.3f ms   p99 %7.3f ms
                calls/s lost with the view on: %.1f%% of the median rate; %.1f%% paired, run by run \
                (target: < %.0f%%, %s)
                Sluice CPU per call: view off %.1f us, view on %.1f us (medians): the view adds %.1f%%
                calls the view counted (sluice_grpc_calls_total): %d""",
                inFlight, messageBytes, off.windows().size(), off.windowSeconds(), proxy,
                off.medianCallsPerSecond(), UnarySide.millis(off.p50()), UnarySide.millis(off.p99()),
                on.medianCallsPerSecond(), UnarySide.millis(on.p50()), UnarySide.millis(on.p99()),
                loss() * 100, pairedLoss() * 100, TARGET_LOSS * 100, pairedLoss() < TARGET_LOSS ? "met" : "NOT met",
                offCpuMicros(), onCpuMicros(), cpuAdded() * 100, callsCounted);
    }

    String json() {
        return Json.object(g -> {
            g.writeStringField("benchmark", "grpc-view");
            g.writeNumberField("inFlight", inFlight);
            g.writeNumberField("messageBytes", messageBytes);
            g.writeStringField("proxy", proxy);
            off.write(g, "viewOff");
            on.write(g, "viewOn");
            g.writeNumberField("loss", round(loss()));
            g.writeNumberField("pairedLoss", round(pairedLoss()));
            g.writeNumberField("targetLoss", TARGET_LOSS);
            g.writeNumberField("viewOffCpuMicrosPerCall", round(offCpuMicros()));
            g.writeNumberField("viewOnCpuMicrosPerCall", round(onCpuMicros()));
            g.writeNumberField("cpuAdded", round(cpuAdded()));
            g.writeNumberField("callsCounted", callsCounted);
        });
    }
}
