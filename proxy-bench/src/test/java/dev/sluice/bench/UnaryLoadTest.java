package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UnaryLoadTest {
    @Test
    void aWindowCountsEchoedCallsAndTimesThoseWhollyInside() throws Exception {
        BenchPki pki = new BenchPki();
        try (GrpcOrigin origin = new GrpcOrigin(pki)) {
            ManagedChannel channel = GrpcChannels.direct(origin.address(), BenchPki.host("grpc"), pki.caCertificate());
            try {
                UnaryLoad load = new UnaryLoad(channel, 64, 8, Duration.ofSeconds(60));
                load.connect();
                UnaryWindow window = load.run(Duration.ofMillis(200), Duration.ofMillis(500));

                assertThat(window.completions()).isPositive();
                assertThat(window.latencyNanos().length).isPositive().isLessThanOrEqualTo((int) window.completions());
                assertThat(window.latencyNanos()).isSorted();
                assertThat(window.windowNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }
}
