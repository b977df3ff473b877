package dev.sluice.bench;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run of the soak's three loads at once through a bumping Sluice that splices CONNECTs to {@code tcpOrigin}:
 * long-lived tunnels ({@link IdleTunnels}) each echoing once per {@code tunnelEchoEvery}, long-lived bumped gRPC
 * streams ({@link GrpcEchoStreams}) to {@code grpcOrigin}, and short-lived connections ({@link ConnectionChurn}).
 * The tunnels come up first; the run lasts {@code duration} from then, and ends with every client closed.
 *
 * @param timeout what one connection, echo or call may take before it counts as an error
 */
record SoakLoad(BumpingSluice sluice, HoldingOrigin tcpOrigin, GrpcOrigin grpcOrigin, ScheduledExecutorService timer,
                SoakErrors errors, Duration timeout, Duration tunnelEchoEvery, Duration messageEvery) {
    /** Streams per gRPC channel, so that the streams ride on several bumped connections. */
    static final int STREAMS_PER_CHANNEL = 50;
    static final String GRPC_HOST = BenchPki.host("soak");
    /** Tunnels opened at once. */
    private static final int BATCH = 250;
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

    /** The bumped connections carrying {@code streams} streams. */
    static int channels(int streams) {
        return (streams + STREAMS_PER_CHANNEL - 1) / STREAMS_PER_CHANNEL;
    }

    /** Sluice's highest figures seen while a load ran, starting from a sample taken before. */
    static final class Peak {
        private SoakSample sample;

        Peak(SoakSample start) {
            sample = start;
        }

        SoakSample sample() {
            return sample;
        }
    }

    /** Runs the load, sampling Sluice into {@code peak} every second if it is given; returns what the clients counted. */
    ClientCounts run(int tunnels, int streams, int newPerSecond, Duration duration, Peak peak) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        try (IdleTunnels tunnelSet = new IdleTunnels(sluice.proxyAddress(), tcpOrigin.address(), timeout)) {
            try {
                while (tunnelSet.size() < tunnels) tunnelSet.open(Math.min(BATCH, tunnels - tunnelSet.size()));
            } catch (IOException e) {
                errors.add("tunnel open", e);
            }
            for (int i = 0; i < channels(streams); i++) channels.add(bumpedChannel());
            GrpcEchoStreams echoStreams = new GrpcEchoStreams(channels, streams, messageEvery, timer, errors);
            ConnectionChurn churn = new ConnectionChurn(sluice.proxyAddress(), tcpOrigin.address(), this::bumpedChannel,
                    timeout, errors);
            echoStreams.start();
            churn.start(newPerSecond, timer);
            long[] echoes = echoTunnels(tunnelSet, duration, peak);
            if (!churn.stop()) errors.add("new connection", "still busy " + timeout.multipliedBy(2) + " after the end");
            if (!echoStreams.finish(timeout)) errors.add("grpc stream", "not ended " + timeout + " after the end");
            GrpcEchoStreams.Counts s = echoStreams.counts();
            ConnectionChurn.Counts c = churn.counts();
            return new ClientCounts(tunnelSet.size(), echoes[0], echoes[1], channels.size(), streams, s.completed(),
                    s.sent(), s.echoed(), c.splices(), c.spliceBytes(), c.calls(), c.okCalls(), c.skipped());
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
     * Echoes through a slice of the tunnels every tick, so that each echoes once per {@code tunnelEchoEvery}, until
     * {@code duration} is over; returns the echoes and the bytes sent. A failed echo stops the tunnels' echoes (the
     * set's state is unknown then); the other loads carry on.
     */
    private long[] echoTunnels(IdleTunnels tunnelSet, Duration duration, Peak peak) throws Exception {
        int n = tunnelSet.size();
        long ticksPerRound = Math.max(1, tunnelEchoEvery.dividedBy(TICK));
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
                    broken = true;
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
