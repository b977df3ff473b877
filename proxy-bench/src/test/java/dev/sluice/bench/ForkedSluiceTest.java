package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForkedSluiceTest {
    /** Built by proxy-server's package phase, which the reactor runs before this module's tests. */
    private static final Path SLUICE_JAR = Path.of("..", "proxy-server", "target", "sluice.jar");

    @Test
    void aSeparateSluiceProcessRelaysEveryByteOfACONNECTDownload() throws Exception {
        assumeThat(Files.exists(SLUICE_JAR)).as("sluice.jar built").isTrue();
        try (BlastOrigin origin = new BlastOrigin(8L << 20);
             ForkedSluice sluice = ForkedSluice.start(SLUICE_JAR, SpliceBench.CONFIG, List.of("-Xmx256m"))) {
            long nanos = new Download(Duration.ofSeconds(60)).viaConnect(sluice.proxyAddress(), origin.address(), 8L << 20);

            assertThat(nanos).isPositive();
        }
    }
}
