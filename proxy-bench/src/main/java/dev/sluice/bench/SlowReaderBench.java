package dev.sluice.bench;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slow-reader --sluice-jar FILE [--size 1g] [--rate 1m]}: an origin sends {@code size} bytes as fast as it
 * can through a spliced tunnel to a client that reads only {@code rate} bytes a second; Sluice's memory is sampled
 * every second throughout. Backpressure holds if its Netty direct memory stays at a few MiB however large the
 * transfer: the origin is held back by TCP rather than buffered by Sluice.
 */
@Command(name = "slow-reader", mixinStandardHelpOptions = true,
        description = "A slow client reading a large download through a forked Sluice: max direct memory and RSS.")
final class SlowReaderBench implements Callable<Integer> {
    @Option(names = "--sluice-jar", paramLabel = "FILE", required = true,
            description = "The Sluice to run as a separate JVM, e.g. proxy-server/target/sluice.jar.")
    private Path sluiceJar;

    @Option(names = "--sluice-jvm-option", paramLabel = "OPTION",
            description = "A JVM option for the Sluice process (repeatable), e.g. -Xmx256m.")
    private List<String> sluiceJvmOptions = new ArrayList<>();

    @Option(names = "--size", defaultValue = "1g", converter = ByteSize.class,
            description = "Bytes the origin sends (default ${DEFAULT-VALUE}: 1g takes 17 minutes at 1m).")
    private long size;

    @Option(names = "--rate", defaultValue = "1m", converter = ByteSize.class,
            description = "Bytes a second the client reads (default ${DEFAULT-VALUE}).")
    private long rate;

    @Override
    public Integer call() throws Exception {
        AtomicLong maxDirect = new AtomicLong();
        AtomicLong maxRss = new AtomicLong();
        try (BlastOrigin origin = new BlastOrigin(size);
             ForkedSluice sluice = ForkedSluice.start(sluiceJar, SpliceBench.CONFIG, sluiceJvmOptions);
             SocketChannel client = HttpConnect.open(sluice.proxyAddress())) {
            long read = HttpConnect.tunnel(client, "127.0.0.1:" + origin.address().getPort());
            Thread sampler = new Thread(() -> sampleEverySecond(sluice, maxDirect, maxRss), "slow-reader-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long started = System.nanoTime();
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            long lastReport = started;
            while (read < size) {
                int n = client.read(buffer.clear());
                if (n < 0) throw new IllegalStateException("the tunnel closed after " + read + " of " + size + " bytes");
                read += n;
                long pause = pauseNanos(read, System.nanoTime() - started, rate);
                if (pause > 0) TimeUnit.NANOSECONDS.sleep(pause);
                if (System.nanoTime() - lastReport > TimeUnit.MINUTES.toNanos(1)) {
                    lastReport = System.nanoTime();
                    System.out.printf("%s read, Netty direct max %s, RSS max %s%n", mib(read), mib(maxDirect.get()),
                            mib(maxRss.get()));
                }
            }
            sampler.interrupt();
            System.out.printf("slow reader: %s through a splice at %s/s in %d s; Sluice's Netty direct memory max %s, "
                            + "RSS max %s%n", mib(size), mib(rate),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), mib(maxDirect.get()),
                    mib(maxRss.get()));
        }
        return 0;
    }

    /** How long to wait after {@code read} bytes in {@code elapsedNanos} so that reading keeps to {@code rate}/s. */
    static long pauseNanos(long read, long elapsedNanos, long rate) {
        long due = (long) (read * (1_000_000_000.0 / rate));
        return Math.max(0, due - elapsedNanos);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    private static void sampleEverySecond(ForkedSluice sluice, AtomicLong maxDirect, AtomicLong maxRss) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                MemorySample sample = IdleBench.sample(sluice);
                sample.nettyDirectBytes().ifPresent(direct -> maxDirect.accumulateAndGet(direct, Math::max));
                maxRss.accumulateAndGet(sample.rssBytes(), Math::max);
                Thread.sleep(1000);
            }
        } catch (InterruptedException done) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            System.err.println("sampling Sluice failed: " + e);
        }
    }
}
