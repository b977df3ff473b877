package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputReportTest {
    private static final long GIB = 1L << 30;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void ratiosCompareBestWithBestAndMedianWithMedian() {
        // direct: 1024, 512, 341.3 MiB/s; proxied: 512, 256, 1024/3.5 MiB/s
        ThroughputReport report = new ThroughputReport("splice", GIB, List.of(SECOND, 2 * SECOND, 3 * SECOND),
                List.of(2 * SECOND, 4 * SECOND, 3_500_000_000L), "Sluice as a separate process", 0.9);

        assertThat(report.bestRatio()).isCloseTo(0.5, within(1e-9));
        assertThat(report.medianRatio()).isCloseTo((1024 / 3.5) / 512, within(1e-9));
        assertThat(report.text()).contains("splice benchmark: 1 GiB per download", "via Sluice as a separate process",
                "ratio proxied/direct: best 0.500");
        assertThat(report.json()).contains("\"benchmark\":\"splice\"", "\"bestRatio\":0.5", "\"bytes\":1073741824",
                "\"proxy\":\"Sluice as a separate process\"");
    }

    @Test
    void theTargetIsPrintedBesideTheMedianRatioAndNeverEnforced() {
        ThroughputReport below = new ThroughputReport("h2-bulk", GIB, List.of(SECOND), List.of(2 * SECOND), "Sluice", 0.6);
        ThroughputReport above = new ThroughputReport("h2-bulk", GIB, List.of(SECOND), List.of(SECOND), "Sluice", 0.6);

        assertThat(below.text()).contains("h2-bulk benchmark", "median 0.500   (target: median >= 0.60, NOT met)");
        assertThat(above.text()).contains("median 1.000   (target: median >= 0.60, met)");
        assertThat(below.json()).contains("\"targetMedianRatio\":0.6");
    }
}
