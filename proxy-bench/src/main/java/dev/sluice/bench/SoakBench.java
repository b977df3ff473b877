package dev.sluice.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    private static final Duration QUIET_TIMEOUT = Duration.ofSeconds(60);
    /** Sluice's access-log writer flushes once its queue is empty: far more often than this. */
    private static final Duration LOG_PAUSE = Duration.ofMillis(200);

    @Mixin
    private BumpOptions sluiceOptions;

    @Option(names = "--tunnels", defaultValue = "2000",
            description = "Long-lived CONNECT tunnels, spliced (default: ${DEFAULT-VALUE}).")
    private int tunnels;

    @Option(names = "--tunnel-echo-every", defaultValue = "5",
            description = "Seconds between two echoes through one tunnel (default: ${DEFAULT-VALUE}).")
    private int tunnelEchoSeconds;

    @Option(names = "--grpc-streams", defaultValue = "200",
            description = "Long-lived bumped gRPC bidi streams, " + SoakLoad.STREAMS_PER_CHANNEL + " per channel "
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
            description = "Seconds to wait once Sluice has no connection left, before sampling "
                    + "(default: ${DEFAULT-VALUE}).")
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
        if (!descriptorsSuffice(ProcessHandle.current().pid())) return 2;
        BenchPki pki = new BenchPki();
        SoakErrors errors = new SoakErrors();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "soak-timer");
            t.setDaemon(true);
            return t;
        });
        try (HoldingOrigin tcpOrigin = new HoldingOrigin();
             GrpcOrigin grpcOrigin = new GrpcOrigin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, List.of(SoakLoad.GRPC_HOST), null, true,
                     tcpOrigin.address().getPort())) {
            if (!descriptorsSuffice(sluice.process().pid())) return 2;
            SoakLoad load = new SoakLoad(sluice, tcpOrigin, grpcOrigin, timer, errors, Duration.ofSeconds(timeoutSeconds),
                    Duration.ofSeconds(tunnelEchoSeconds), Duration.ofMillis(messageMillis));
            if (warmupSeconds > 0) {
                System.out.printf("warm-up: %d s of a tenth of the load%n", warmupSeconds);
                load.run(tunnels / 10, Math.min(streams, 10), Math.max(1, newPerSecond / 10),
                        Duration.ofSeconds(warmupSeconds), null);
            }
            SoakSample baseline = quiet(sluice, tcpOrigin);
            SluiceCounts countsBefore = SluiceCounts.parse(sluice.scrapeMetrics());
            AccessLogTally logBefore = AccessLogTally.settled(sluice.accessLog(), LOG_PAUSE, QUIET_TIMEOUT);
            System.out.printf("load: %d tunnels, %d gRPC streams, %d new connections/s for %d s%n", tunnels, streams,
                    newPerSecond, durationSeconds);
            SoakLoad.Peak peak = new SoakLoad.Peak(baseline);
            ClientCounts counted = load.run(tunnels, streams, newPerSecond, Duration.ofSeconds(durationSeconds), peak);
            SoakSample after = quiet(sluice, tcpOrigin);
            SluiceCounts sluiceCounted = SluiceCounts.parse(sluice.scrapeMetrics()).since(countsBefore);
            AccessLogTally logged = AccessLogTally.settled(sluice.accessLog(), LOG_PAUSE, QUIET_TIMEOUT)
                    .since(logBefore);
            long leaks = sluice.process().output().lines().filter(line -> line.contains("LEAK:")).count();
            SoakReport report = new SoakReport(baseline, peak.sample(), after, counted, sluiceCounted, logged,
                    errors.total(), errors.lines(), leaks);
            System.out.println(report.text());
            return report.passed() ? 0 : 1;
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * Whether this process's and {@code pid}'s open-files limits fit the soak: two descriptors per tunnel, channel or
     * short-lived connection, in this process (client, origin) and in Sluice alike; says what to do if not.
     */
    private boolean descriptorsSuffice(long pid) {
        long needed = 2L * (tunnels + SoakLoad.channels(streams) + ConnectionChurn.MAX_IN_FLIGHT)
                + IdleBench.SPARE_DESCRIPTORS;
        long limit = IdleBench.openFilesLimit(pid);
        if (limit >= needed) return true;
        System.err.printf("error: the soak needs about %d open files in this process and in Sluice, but the "
                + "open-files limit is %d; raise `ulimit -n` or lower --tunnels%n", needed, limit);
        return false;
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
}
