package dev.sluice.bench;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The cost of the per-call gRPC view: unary calls per second through two bumping Sluices that differ only in
 * {@code grpc.callView} (off and on), each its own JVM, to the same origin; both connections opened and both Sluices
 * settled (JIT) with unmeasured load first, then windows alternate between the two, the order swapped every run so
 * that neither side always follows the other, each window after its own warm-up. At the end the view-on Sluice's
 * {@code sluice_grpc_calls_total} shows the view ran, and the view-off one must have no such family.
 */
@Command(name = "grpc-view", mixinStandardHelpOptions = true,
        description = "Unary gRPC calls through a bumping Sluice with grpc.callView off and on; print calls/s, "
                + "p50/p99 and the rate lost to the view.")
final class GrpcViewBench implements Callable<Integer> {
    static final String CALLS_METRIC = "sluice_grpc_calls_total";
    /** Counts every bumped HTTP/2 request, with the view on or off. */
    static final String REQUESTS_METRIC = "sluice_http_requests_total";
    /** The settling runs' own window, needed by {@link UnaryLoad#run} and thrown away. */
    private static final Duration SETTLE_WINDOW = Duration.ofSeconds(1);

    @Mixin
    private BumpOptions sluiceOptions;

    @Mixin
    private UnaryLoadOptions options;

    @Option(names = "--access-log",
            description = "Both Sluices write their access log (a line per call) to a file; default: off, as in the "
                    + "other bump benchmarks.")
    private boolean accessLog;

    @Option(names = "--settle", defaultValue = "15",
            description = "Seconds of unmeasured calls through each Sluice before the first window, so that its JIT "
                    + "has settled (default: ${DEFAULT-VALUE}).")
    private int settleSeconds;

    @Override
    public Integer call() throws Exception {
        options.validate();
        if (settleSeconds < 0) throw new IllegalArgumentException("need --settle >= 0");
        BenchPki pki = new BenchPki();
        List<String> hosts = List.of(GrpcUnaryBench.HOST);
        try (GrpcOrigin origin = new GrpcOrigin(pki);
             BumpingSluice viewOff = sluiceOptions.start(pki, hosts, false, accessLog);
             BumpingSluice viewOn = sluiceOptions.start(pki, hosts, true, accessLog)) {
            int port = origin.address().getPort();
            ManagedChannel off = GrpcChannels.through(viewOff.proxyAddress(), GrpcUnaryBench.HOST, port,
                    viewOff.caCertificate());
            ManagedChannel on = GrpcChannels.through(viewOn.proxyAddress(), GrpcUnaryBench.HOST, port,
                    viewOn.caCertificate());
            try {
                GrpcViewReport report = measure(options.load(off), options.load(on), viewOff, viewOn);
                System.out.println(options.json ? report.json() : report.text());
            } finally {
                for (ManagedChannel channel : List.of(off, on)) {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
        }
        return 0;
    }

    private GrpcViewReport measure(UnaryLoad off, UnaryLoad on, BumpingSluice viewOff, BumpingSluice viewOn)
            throws Exception {
        off.connect();
        on.connect();
        Duration settle = Duration.ofSeconds(settleSeconds);
        off.run(settle, SETTLE_WINDOW);
        on.run(settle, SETTLE_WINDOW);
        List<UnaryWindow> offWindows = new ArrayList<>();
        List<UnaryWindow> onWindows = new ArrayList<>();
        List<Double> offCpu = new ArrayList<>();
        List<Double> onCpu = new ArrayList<>();
        for (int i = 0; i < options.runs; i++) {
            if (i % 2 == 0) {
                offCpu.add(window(off, viewOff, offWindows));
                onCpu.add(window(on, viewOn, onWindows));
            } else {
                onCpu.add(window(on, viewOn, onWindows));
                offCpu.add(window(off, viewOff, offWindows));
            }
            if (!options.json) {
                System.out.printf(Locale.ROOT, "run %d  view off %9.0f calls/s %6.1f us CPU/call   "
                                + "view on %9.0f calls/s %6.1f us CPU/call%n", i + 1,
                        offWindows.get(i).callsPerSecond(), offCpu.get(i), onWindows.get(i).callsPerSecond(),
                        onCpu.get(i));
            }
        }
        if (PrometheusText.sum(viewOff.scrapeMetrics(), CALLS_METRIC, null, null).isPresent()) {
            throw new IOException("the Sluice with grpc.callView: false counted gRPC calls");
        }
        long counted = (long) PrometheusText.sum(viewOn.scrapeMetrics(), CALLS_METRIC, null, null).orElse(0);
        return new GrpcViewReport(options.inFlight, options.messageBytes, describe(), offWindows, onWindows, offCpu,
                onCpu, counted);
    }

    /**
     * One measured window of {@code load} through {@code sluice}, added to {@code windows}; returns the Sluice CPU
     * time per request it served meanwhile (warm-up included), in microseconds: a cost other processes on the
     * machine do not blur the way they blur calls/s. The scrapes that count requests lie outside the CPU reading.
     */
    private double window(UnaryLoad load, BumpingSluice sluice, List<UnaryWindow> windows) throws Exception {
        double requestsBefore = requestsServed(sluice);
        Duration cpuBefore = sluice.cpuTime();
        windows.add(load.run(options.warmup(), options.window()));
        Duration cpu = sluice.cpuTime().minus(cpuBefore);
        double requests = requestsServed(sluice) - requestsBefore;
        if (requests <= 0) throw new IOException("Sluice counted no h2 request in a window");
        return cpu.toNanos() / 1e3 / requests;
    }

    private static double requestsServed(BumpingSluice sluice) throws IOException, InterruptedException {
        return PrometheusText.sum(sluice.scrapeMetrics(), REQUESTS_METRIC, "protocol", "h2").orElse(0);
    }

    private String describe() {
        return sluiceOptions.describe() + (accessLog ? ", access log on" : ", access log off");
    }
}
