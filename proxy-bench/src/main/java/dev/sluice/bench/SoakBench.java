package dev.sluice.bench;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A bounded soak of one Sluice process: long-lived spliced tunnels that echo now and then, long-lived bumped gRPC
 * bidi streams that echo continuously, and a stream of short-lived connections, all at once for a while; then, once
 * every client has closed and Sluice has settled, its descriptors, threads and memory against the baseline taken
 * before, and its metrics against what the clients counted. A short warm-up of the same load runs before the
 * baseline, so that classes, JIT, event loops and caches are already in place. Exits 1 when a check fails.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Hold spliced tunnels, bumped gRPC streams and new connections through a separate Sluice for a "
                + "while; then check that its descriptors and memory came back and its metrics match the clients'.")
final class SoakBench implements Callable<Integer> {
    static final String GRPC_HOST = BenchPki.host("soak");
    /** Streams per gRPC channel, so that the streams ride on several bumped connections. */
    static final int STREAMS_PER_CHANNEL = 50;
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
    private static final Duration QUIET_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    private BumpOptions sluiceOptions;

    @Option(names = "--tunnels", defaultValue = "2000",
            description = "Long-lived CONNECT tunnels, spliced (default: ${DEFAULT-VALUE}).")
    private int tunnels;

    @Option(names = "--tunnel-echo-every", defaultValue = "5",
            description = "Seconds between two echoes through one tunnel (default: ${DEFAULT-VALUE}).")
    private int tunnelEchoSeconds;

    @Option(names = "--grpc-streams", defaultValue = "200",
            description = "Long-lived bumped gRPC bidi streams, " + STREAMS_PER_CHANNEL + " per channel "
                    + "(default: ${DEFAULT-VALUE}).")
    private int streams;

    @Option(names = "--grpc-message-every", defaultValue = "100",
            description = "Milliseconds a stream waits after an echo before its next message (default: ${DEFAULT-VALUE}).")
    private int messageMillis;

    @Option(names = "--new-connections-per-second", defaultValue = "50",
            description = "Short-lived connections opened a second, alternately a splice with one echo and a bumped "
                    + "gRPC channel with one unary call (default: ${DEFAULT-VALUE}).")
    private int newPerSecond;

    @Option(names = "--duration", defaultValue = "60",
            description = "Seconds the full load runs once every tunnel is up (default: ${DEFAULT-VALUE}).")
    private int durationSeconds;

    @Option(names = "--warmup", defaultValue = "5",
            description = "Seconds of a tenth of the load before the baseline (default: ${DEFAULT-VALUE}).")
    private int warmupSeconds;

    @Option(names = "--settle", defaultValue = "5",
            description = "Seconds to wait once Sluice has no connection left, before sampling (default: ${DEFAULT-VALUE}).")
    private int settleSeconds;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds one connection, echo or call may take before it counts as an error "
                    + "(default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (tunnels < 0 || streams < 0 || newPerSecond < 0 || newPerSecond > 1000 || tunnelEchoSeconds < 1
                || messageMillis < 0 || durationSeconds < 1 || warmupSeconds < 0 || settleSeconds < 0
                || timeoutSeconds < 1) {
            throw new IllegalArgumentException("need --tunnels, --grpc-streams >= 0, --new-connections-per-second "
                    + "0-1000, --tunnel-echo-every >= 1, --grpc-message-every >= 0, --duration >= 1, --warmup >= 0, "
                    + "--settle >= 0, --timeout >= 1");
        }
        BenchPki pki = new BenchPki();
        SoakErrors errors = new SoakErrors();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "soak-timer");
            t.setDaemon(true);
            return t;
        });
        try (HoldingOrigin tcpOrigin = new HoldingOrigin();
             GrpcOrigin grpcOrigin = new GrpcOrigin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, List.of(GRPC_HOST), null, true,
                     tcpOrigin.address().getPort())) {
            long needed = descriptorsNeeded();
            long limit = IdleBench.openFilesLimit(sluice.process().pid());
            if (limit < needed) {
                System.err.printf("error: the soak needs about %d open files in this process and in Sluice, but the "
                        + "open-files limit is %d; raise `ulimit -n` or lower --tunnels%n", needed, limit);
                return 2;
            }
            Load load = new Load(sluice, tcpOrigin, grpcOrigin, timer, errors);
            if (warmupSeconds > 0) {
                System.out.printf("warm-up: %d s of a tenth of the load%n", warmupSeconds);
                load.run(tunnels / 10, Math.min(streams, 10), Math.max(1, newPerSecond / 10),
                        Duration.ofSeconds(warmupSeconds), null);
            }
            SoakSample baseline = quiet(sluice, tcpOrigin);
            SluiceCounts countsBefore = SluiceCounts.parse(sluice.scrapeMetrics());
            System.out.printf("load: %d tunnels, %d gRPC streams, %d new connections/s for %d s%n", tunnels, streams,
                    newPerSecond, durationSeconds);
            Peak peak = new Peak(baseline);
            ClientCounts counted = load.run(tunnels, streams, newPerSecond, Duration.ofSeconds(durationSeconds), peak);
            SoakSample after = quiet(sluice, tcpOrigin);
            SluiceCounts sluiceCounted = SluiceCounts.parse(sluice.scrapeMetrics()).since(countsBefore);
            long leaks = sluice.process().output().lines().filter(line -> line.contains("LEAK:")).count();
            SoakReport report = new SoakReport(baseline, peak.sample, after, counted, sluiceCounted, errors.total(),
                    errors.lines(), leaks);
            System.out.println(report.text());
            return report.passed() ? 0 : 1;
        } finally {
            timer.shutdownNow();
        }
    }

    /** Two per tunnel, channel or short-lived connection, in this process (client, origin) and in Sluice alike. */
    private long descriptorsNeeded() {
        long channels = channels(streams);
        return 2L * (tunnels + channels + ConnectionChurn.MAX_IN_FLIGHT) + IdleBench.SPARE_DESCRIPTORS;
    }

    static int channels(int streams) {
        return (streams + STREAMS_PER_CHANNEL - 1) / STREAMS_PER_CHANNEL;
    }

    /**
     * Waits until Sluice has no connection and the splice origin none, lets Sluice settle, has its JVM collect, and
     * samples it.
     */
    private SoakSample quiet(BumpingSluice sluice, HoldingOrigin origin) throws Exception {
        long deadline = System.nanoTime() + QUIET_TIMEOUT.toNanos();
        while (SluiceCounts.parse(sluice.scrapeMetrics()).activeConnections() > 0 || origin.openConnections() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Sluice or the origin still had connections " + QUIET_TIMEOUT + " after the load");
            }
            Thread.sleep(200);
        }
        Thread.sleep(Duration.ofSeconds(settleSeconds).toMillis());
        if (!sluice.process().collectGarbage()) System.out.println("note: jcmd GC.run failed; memory includes garbage");
        return SoakSample.of(sluice.process());
    }

    /** The highest figures seen while the load ran. */
    private static final class Peak {
        SoakSample sample;

        Peak(SoakSample start) {
            sample = start;
        }
    }

    /** One run of the three loads at once. */
    private final class Load {
        private final BumpingSluice sluice;
        private final HoldingOrigin tcpOrigin;
        private final GrpcOrigin grpcOrigin;
        private final ScheduledExecutorService timer;
        private final SoakErrors errors;
        private final Duration timeout = Duration.ofSeconds(timeoutSeconds);

        Load(BumpingSluice sluice, HoldingOrigin tcpOrigin, GrpcOrigin grpcOrigin, ScheduledExecutorService timer,
             SoakErrors errors) {
            this.sluice = sluice;
            this.tcpOrigin = tcpOrigin;
            this.grpcOrigin = grpcOrigin;
            this.timer = timer;
            this.errors = errors;
        }

        /** Runs the load for {@code duration} once every tunnel is up; samples Sluice into {@code peak} if given. */
        ClientCounts run(int tunnelCount, int streamCount, int perSecond, Duration duration, Peak peak)
                throws Exception {
            List<ManagedChannel> channels = new ArrayList<>();
            try (IdleTunnels tunnelSet = new IdleTunnels(sluice.proxyAddress(), tcpOrigin.address(), timeout)) {
                try {
                    while (tunnelSet.size() < tunnelCount) tunnelSet.open(Math.min(250, tunnelCount - tunnelSet.size()));
                } catch (IOException e) {
                    errors.add("tunnel open", e);
                }
                for (int i = 0; i < channels(streamCount); i++) channels.add(bumpedChannel());
                GrpcEchoStreams echoStreams = new GrpcEchoStreams(channels, streamCount,
                        Duration.ofMillis(messageMillis), timer, errors);
                ConnectionChurn churn = new ConnectionChurn(sluice.proxyAddress(), tcpOrigin.address(),
                        this::bumpedChannel, timeout, errors);
                echoStreams.start();
                churn.start(perSecond, timer);
                long[] echoes = echoTunnels(tunnelSet, duration, peak);
                if (!churn.stop()) errors.add("new connection", "still busy " + timeout.multipliedBy(2) + " after the end");
                if (!echoStreams.finish(timeout)) errors.add("grpc stream", "not ended " + timeout + " after the end");
                return new ClientCounts(tunnelSet.size(), echoes[0], echoes[1], channels.size(), streamCount,
                        echoStreams.completed(), echoStreams.sent(), echoStreams.echoed(), churn.splices(),
                        churn.spliceBytes(), churn.calls(), churn.okCalls(), churn.skipped());
            } finally {
                for (ManagedChannel channel : channels) channel.shutdown();
                for (ManagedChannel channel : channels) {
                    if (!channel.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        errors.add("grpc channel", "did not shut down within " + timeout);
                        channel.shutdownNow();
                    }
                }
            }
        }

        /**
         * Echoes through a slice of the tunnels every tick, so that each echoes once per
         * {@code --tunnel-echo-every}, until {@code duration} is over; returns the echoes and the bytes sent.
         */
        private long[] echoTunnels(IdleTunnels tunnelSet, Duration duration, Peak peak) throws Exception {
            int n = tunnelSet.size();
            long ticksPerRound = Math.max(1, Duration.ofSeconds(tunnelEchoSeconds).dividedBy(TICK));
            int slice = (int) Math.min(n, (n + ticksPerRound - 1) / ticksPerRound);
            long end = System.nanoTime() + duration.toNanos();
            long nextSample = System.nanoTime();
            long echoes = 0;
            long bytes = 0;
            int next = 0;
            boolean broken = false;
            while (System.nanoTime() < end) {
                long tickEnd = System.nanoTime() + TICK.toNanos();
                if (slice > 0 && !broken) {
                    int count = Math.min(slice, n - next);
                    byte[] payload = ("tunnel echo " + echoes).getBytes(StandardCharsets.US_ASCII);
                    try {
                        tunnelSet.echo(next, count, payload, timeout);
                        echoes += count;
                        bytes += (long) count * payload.length;
                    } catch (IOException e) {
                        errors.add("tunnel echo", e);
                        broken = true; // the tunnel set's state is unknown now; the other loads carry on
                    }
                    next = (next + count) % n;
                }
                if (peak != null && System.nanoTime() >= nextSample) {
                    peak.sample = peak.sample.max(SoakSample.of(sluice.process()));
                    nextSample = System.nanoTime() + SAMPLE_EVERY.toNanos();
                }
                long left = tickEnd - System.nanoTime();
                if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
            }
            return new long[] {echoes, bytes};
        }

        private ManagedChannel bumpedChannel() throws IOException {
            return GrpcChannels.through(sluice.proxyAddress(), GRPC_HOST, grpcOrigin.address().getPort(),
                    sluice.caCertificate());
        }
    }
}
