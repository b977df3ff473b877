package dev.sluice.bench;

import io.grpc.ManagedChannel;
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
 * gRPC unary calls per second, and their latency, with a fixed number in flight on one channel, through a bumping
 * Sluice against the same channel setup straight to the origin: grpc-java on both ends, byte-array messages,
 * windows alternating between the two channels, each after its own warm-up, both connections opened before any.
 */
@Command(name = "grpc-unary", mixinStandardHelpOptions = true,
        description = "Unary gRPC calls directly and through a bumping Sluice; print calls/s, p50/p99 and the ratio.")
final class GrpcUnaryBench implements Callable<Integer> {
    static final String HOST = BenchPki.host("grpc");

    @Mixin
    private BumpOptions sluiceOptions;

    @Option(names = "--in-flight", defaultValue = "64",
            description = "Calls outstanding at all times on the one channel (default: ${DEFAULT-VALUE}).")
    private int inFlight;

    @Option(names = "--message-bytes", defaultValue = "64",
            description = "Bytes of each request, echoed back (default: ${DEFAULT-VALUE}).")
    private int messageBytes;

    @Option(names = "--duration", defaultValue = "10",
            description = "Seconds each measured window lasts (default: ${DEFAULT-VALUE}).")
    private int durationSeconds;

    @Option(names = "--warmup", defaultValue = "3",
            description = "Seconds of unmeasured calls before each window (default: ${DEFAULT-VALUE}).")
    private int warmupSeconds;

    @Option(names = "--runs", defaultValue = "3", description = "Measured windows of each kind (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds one call may take before the run fails (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (durationSeconds < 1 || warmupSeconds < 0 || runs < 1 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("need --duration >= 1, --warmup >= 0, --runs >= 1, --timeout >= 1");
        }
        BenchPki pki = new BenchPki();
        try (GrpcOrigin origin = new GrpcOrigin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, List.of(HOST))) {
            ManagedChannel direct = GrpcChannels.direct(origin.address(), HOST, pki.caCertificate());
            ManagedChannel bumped = GrpcChannels.through(sluice.proxyAddress(), HOST, origin.address().getPort(),
                    sluice.caCertificate());
            try {
                GrpcUnaryReport report = measure(load(direct), load(bumped));
                System.out.println(json ? report.json() : report.text());
            } finally {
                for (ManagedChannel channel : List.of(direct, bumped)) {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
        }
        return 0;
    }

    private UnaryLoad load(ManagedChannel channel) {
        return new UnaryLoad(channel, messageBytes, inFlight, Duration.ofSeconds(timeoutSeconds));
    }

    private GrpcUnaryReport measure(UnaryLoad direct, UnaryLoad bumped) throws Exception {
        Duration warmup = Duration.ofSeconds(warmupSeconds);
        Duration window = Duration.ofSeconds(durationSeconds);
        direct.connect();
        bumped.connect();
        List<UnaryWindow> directWindows = new ArrayList<>();
        List<UnaryWindow> bumpedWindows = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            directWindows.add(direct.run(warmup, window));
            bumpedWindows.add(bumped.run(warmup, window));
            if (!json) {
                System.out.printf(Locale.ROOT, "run %d  direct %9.0f calls/s   bumped %9.0f calls/s%n", i + 1,
                        directWindows.get(i).callsPerSecond(), bumpedWindows.get(i).callsPerSecond());
            }
        }
        return new GrpcUnaryReport(inFlight, messageBytes, sluiceOptions.describe(), directWindows, bumpedWindows);
    }
}
