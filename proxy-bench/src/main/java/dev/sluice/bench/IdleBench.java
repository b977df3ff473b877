package dev.sluice.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What an idle CONNECT tunnel costs Sluice in memory. Sluice runs as its own JVM so that its resident set is its
 * own; the bench opens N tunnels through it to an origin that holds them, and compares Sluice's RSS (and Netty
 * direct memory, and used heap) after a warm-up with the same figures once all N are up and idle.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
        description = "Open N idle CONNECT tunnels through a separate Sluice process; print its RSS per tunnel.")
final class IdleBench implements Callable<Integer> {
    /** The team's target, from squid's 32 KB per idle tunnel halved. */
    static final long TARGET_BYTES_PER_TUNNEL = 16 * 1024;
    /** Descriptors beyond the tunnels' sockets that a JVM holds anyway: jars, selectors, pipes, listeners. */
    static final int SPARE_DESCRIPTORS = 512;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    private ForkedSluiceOptions sluiceOptions;

    @Option(names = "--tunnels", defaultValue = "8000",
            description = "Idle tunnels to hold; lowered to what the open-files limits allow (default: ${DEFAULT-VALUE}).")
    private int tunnels;

    @Option(names = "--warmup", defaultValue = "200",
            description = "Tunnels opened and closed before the first sample (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--batch", defaultValue = "250",
            description = "Tunnels opened at once (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--timeout", defaultValue = "60",
            description = "Seconds one batch may take to come up (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (tunnels < 1 || warmup < 0 || batch < 1 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("need --tunnels >= 1, --warmup >= 0, --batch >= 1, --timeout >= 1");
        }
        Duration batchTimeout = Duration.ofSeconds(timeoutSeconds);
        try (HoldingOrigin origin = new HoldingOrigin();
             ForkedSluice sluice = ForkedSluice.start(sluiceOptions.jar, SpliceBench.CONFIG, sluiceOptions.jvmOptions)) {
            int n = fitToDescriptorLimits(tunnels, sluice.pid());
            try (IdleTunnels warm = new IdleTunnels(sluice.proxyAddress(), origin.address(), batchTimeout)) {
                openInBatches(warm, warmup);
            }
            awaitIdle(sluice, origin, 0);
            boolean collected = sluice.collectGarbage();
            MemorySample before = sample(sluice);

            try (IdleTunnels idle = new IdleTunnels(sluice.proxyAddress(), origin.address(), batchTimeout)) {
                long start = System.nanoTime();
                openInBatches(idle, n);
                awaitIdle(sluice, origin, n);
                System.out.printf("opened %d tunnels in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
                collected &= sluice.collectGarbage();
                MemorySample after = sample(sluice);
                System.out.println(new IdleReport(n, before, after, collected, TARGET_BYTES_PER_TUNNEL).text());
            }
        }
        return 0;
    }

    private void openInBatches(IdleTunnels tunnelSet, int count) throws IOException {
        while (tunnelSet.size() < count) tunnelSet.open(Math.min(batch, count - tunnelSet.size()));
    }

    /**
     * Each tunnel takes two descriptors in Sluice (client and upstream socket) and two in this process (the client
     * socket and the origin's accepted one); the JVM has raised its soft limit to the hard one where it could.
     */
    static int fitToDescriptorLimits(int wanted, long sluicePid) {
        long limit = openFilesLimit(sluicePid);
        int fits = tunnelsWithin(limit);
        if (fits >= wanted) return wanted;
        if (fits < 1) throw new IllegalStateException("open-files limit " + limit + " leaves no room for tunnels");
        System.out.printf("note: an open-files limit of %d fits %d tunnels, not %d; raise `ulimit -n` for more%n",
                limit, fits, wanted);
        return fits;
    }

    /** The lower of this process's and Sluice's open-files limits; Long.MAX_VALUE when neither tells one. */
    static long openFilesLimit(long sluicePid) {
        long limit = Long.MAX_VALUE;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            limit = os.getMaxFileDescriptorCount();
        }
        OptionalLong sluiceLimit = LinuxProc.openFilesLimit(sluicePid);
        return sluiceLimit.isPresent() ? Math.min(limit, sluiceLimit.getAsLong()) : limit;
    }

    /** Tunnels that fit a process allowed {@code openFilesLimit} descriptors, two per tunnel plus spares. */
    static int tunnelsWithin(long openFilesLimit) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, (openFilesLimit - SPARE_DESCRIPTORS) / 2));
    }

    /** Waits until Sluice reports exactly {@code tunnels} active tunnels and the origin holds as many connections. */
    private static void awaitIdle(ForkedSluice sluice, HoldingOrigin origin, int tunnels) throws Exception {
        BooleanSupplier settled = () -> {
            try {
                OptionalDouble active = PrometheusText.sum(sluice.scrapeMetrics(),
                        "sluice_connections_active", "kind", "tunnel");
                return active.isPresent() && active.getAsDouble() == tunnels && origin.openConnections() == tunnels;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (!settled.getAsBoolean()) {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                throw new IOException("Sluice and the origin did not settle at " + tunnels + " tunnels within " + SETTLE_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** Sluice's RSS, Netty direct memory and heap now. */
    static MemorySample sample(ForkedSluice sluice) throws IOException, InterruptedException {
        return MemorySample.of(sluice.pid(), sluice.scrapeMetrics());
    }
}
