package dev.sluice.bench;

import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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

    @Mixin
    private UnaryLoadOptions options;

    @Override
    public Integer call() throws Exception {
        options.validate();
        BenchPki pki = new BenchPki();
        try (GrpcOrigin origin = new GrpcOrigin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, List.of(HOST))) {
            ManagedChannel direct = GrpcChannels.direct(origin.address(), HOST, pki.caCertificate());
            ManagedChannel bumped = GrpcChannels.through(sluice.proxyAddress(), HOST, origin.address().getPort(),
                    sluice.caCertificate());
            try {
                GrpcUnaryReport report = measure(options.load(direct), options.load(bumped));
                System.out.println(options.json ? report.json() : report.text());
            } finally {
                for (ManagedChannel channel : List.of(direct, bumped)) {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
        }
        return 0;
    }

    private GrpcUnaryReport measure(UnaryLoad direct, UnaryLoad bumped) throws Exception {
        direct.connect();
        bumped.connect();
        List<UnaryWindow> directWindows = new ArrayList<>();
        List<UnaryWindow> bumpedWindows = new ArrayList<>();
        for (int i = 0; i < options.runs; i++) {
            directWindows.add(direct.run(options.warmup(), options.window()));
            bumpedWindows.add(bumped.run(options.warmup(), options.window()));
            if (!options.json) {
                System.out.printf(Locale.ROOT, "run %d  direct %9.0f calls/s   bumped %9.0f calls/s%n", i + 1,
                        directWindows.get(i).callsPerSecond(), bumpedWindows.get(i).callsPerSecond());
            }
        }
        return new GrpcUnaryReport(options.inFlight, options.messageBytes, sluiceOptions.describe(), directWindows,
                bumpedWindows);
    }
}
