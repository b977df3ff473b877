package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleTunnelsTest {
    /** Built by proxy-server's package phase, which the reactor runs before this module's tests. */
    private static final Path SLUICE_JAR = Path.of("..", "proxy-server", "target", "sluice.jar");

    @Test
    void tunnelsOpenedThroughASeparateSluiceStayUpUntilClosed() throws Exception {
        assumeThat(Files.exists(SLUICE_JAR)).as("sluice.jar built").isTrue();
        try (HoldingOrigin origin = new HoldingOrigin();
             ForkedSluice sluice = ForkedSluice.start(SLUICE_JAR, SpliceBench.CONFIG, List.of("-Xmx128m"))) {
            try (IdleTunnels tunnels = new IdleTunnels(sluice.proxyAddress(), origin.address(), Duration.ofSeconds(60))) {
                tunnels.open(7);
                tunnels.open(5);

                assertThat(tunnels.size()).isEqualTo(12);
                assertThat(origin.openConnections()).isEqualTo(12);
                assertThat(PrometheusText.sum(sluice.scrapeMetrics(), "sluice_connections_active", "kind", "tunnel"))
                        .hasValue(12.0);
                assertThat(LinuxProc.vmRssBytes(sluice.pid())).isPositive();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (origin.openConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(origin.openConnections()).as("origin connections after the tunnels closed").isZero();
        }
    }

    @Test
    void idleTunnelsEchoWhatIsSentThroughThemAgainAndAgain() throws Exception {
        assumeThat(Files.exists(SLUICE_JAR)).as("sluice.jar built").isTrue();
        try (HoldingOrigin origin = new HoldingOrigin();
             ForkedSluice sluice = ForkedSluice.start(SLUICE_JAR, SpliceBench.CONFIG, List.of("-Xmx128m"));
             IdleTunnels tunnels = new IdleTunnels(sluice.proxyAddress(), origin.address(), Duration.ofSeconds(60))) {
            tunnels.open(6);

            tunnels.echo(0, 4, "first".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(60));
            tunnels.echo(2, 4, "second round".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(60));
            tunnels.echo(0, 6, "third".getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(60));

            assertThat(tunnels.size()).isEqualTo(6);
            assertThat(PrometheusText.sum(sluice.scrapeMetrics(), "sluice_connections_active", "kind", "tunnel"))
                    .hasValue(6.0);
        }
    }
}
