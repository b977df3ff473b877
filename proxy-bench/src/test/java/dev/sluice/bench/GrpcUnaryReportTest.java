package dev.sluice.bench;

import static dev.sluice.bench.UnaryWindows.MILLI;
import static dev.sluice.bench.UnaryWindows.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcUnaryReportTest {
    @Test
    void comparesMedianRatesAndPercentilesOverAllWindows() {
        GrpcUnaryReport report = new GrpcUnaryReport(64, 64, "Sluice",
                List.of(window(100_000, MILLI / 100), window(300_000, MILLI / 100), window(200_000, MILLI / 100)),
                List.of(window(60_000, MILLI / 50), window(90_000, MILLI / 50), window(80_000, MILLI / 50)));

        assertThat(report.ratio()).as("8000 calls/s against 20000").isCloseTo(0.4, within(1e-9));
        assertThat(report.addedP99Millis()).as("p99 1.98 ms against 0.99 ms").isCloseTo(0.99, within(1e-9));
        assertThat(report.text())
                .contains("64 calls in flight on one channel, 64-byte messages, 3 windows of 10 s each")
                .containsPattern("direct +median +20000 calls/s +p50 +0\\.500 ms +p99 +0\\.990 ms")
                .containsPattern("bumped +median +8000 calls/s +p50 +1\\.000 ms +p99 +1\\.980 ms")
                .contains("ratio bumped/direct: 0.400   (target: >= 0.50, NOT met)")
                .contains("p99 added by the bump: 0.990 ms   (target: < 1 ms, met)");
        assertThat(report.json()).contains("\"benchmark\":\"grpc-unary\"", "\"ratio\":0.4", "\"addedP99Millis\":0.99",
                "\"medianCallsPerSecond\":20000.0", "\"targetRatio\":0.5");
    }
}
