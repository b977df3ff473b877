package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final PrometheusText METRICS = PrometheusText.parse("""
            # HELP sluice_decisions_total Policy decisions
            # TYPE sluice_decisions_total counter
            sluice_decisions_total{action="deny",rule="blocked"} 2.0
            sluice_decisions_total{action="splice",rule="default"} 5.0
            sluice_decisions_total{action="deny",rule="access.connectPorts"} 1.0
            sluice_connections_active{kind="tunnel",} 0.0
            process_uptime_seconds 12.5
            """);

    @Test
    void sumsEverySampleWhoseLabelsIncludeTheGivenPairs() {
        assertThat(METRICS.value("sluice_decisions_total", "action", "deny")).isEqualTo(3.0);
        assertThat(METRICS.value("sluice_decisions_total")).isEqualTo(8.0);
        assertThat(METRICS.value("sluice_decisions_total", "action", "deny", "rule", "blocked")).isEqualTo(2.0);
    }

    @Test
    void readsSamplesWithTrailingCommasAndWithoutLabels() {
        assertThat(METRICS.value("sluice_connections_active", "kind", "tunnel")).isZero();
        assertThat(METRICS.has("sluice_connections_active")).isTrue();
        assertThat(METRICS.value("process_uptime_seconds")).isEqualTo(12.5);
    }

    @Test
    void aMissingMetricIsZero() {
        assertThat(METRICS.value("sluice_errors_total", "reason", "connect_refused")).isZero();
        assertThat(METRICS.has("sluice_errors_total")).isFalse();
    }
}
