package dev.sluice.bench;

import static dev.sluice.bench.UnaryWindows.MILLI;
import static dev.sluice.bench.UnaryWindows.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcViewReportTest {
    @Test
    void comparesMedianRatesWithTheViewOffAndOn() {
        GrpcViewReport report = new GrpcViewReport(64, 64, "Sluice",
                List.of(window(100_000, MILLI / 100), window(300_000, MILLI / 100), window(200_000, MILLI / 100)),
                List.of(window(190_000, MILLI / 50), window(196_000, MILLI / 50), window(180_000, MILLI / 50)),
                List.of(40.0, 50.0, 45.0), List.of(47.0, 44.0, 60.0), 586_000);

        assertThat(report.loss()).as("19000 calls/s against 20000").isCloseTo(0.05, within(1e-9));
        assertThat(report.pairedLoss()).as("run by run: 1.9, 0.653, 0.9 → median 0.9").isCloseTo(0.1, within(1e-9));
        assertThat(report.text())
                .contains("64 calls in flight on one channel, 64-byte messages, 3 windows of 10 s each per side")
                .containsPattern("view off +median +20000 calls/s +p50 +0\\.500 ms +p99 +0\\.990 ms")
                .containsPattern("view on +median +19000 calls/s +p50 +1\\.000 ms +p99 +1\\.980 ms")
                .contains("calls/s lost with the view on: 5.0% of the median rate; 10.0% paired, run by run "
                        + "(target: < 5%, NOT met)")
                .contains("Sluice CPU per call: view off 45.0 us, view on 47.0 us (medians): the view adds 4.4%")
                .contains("calls the view counted (sluice_grpc_calls_total): 586000");
        assertThat(report.cpuAdded()).isCloseTo(47.0 / 45.0 - 1, within(1e-9));
        assertThat(report.json()).contains("\"benchmark\":\"grpc-view\"", "\"loss\":0.05", "\"pairedLoss\":0.1",
                "\"targetLoss\":0.05", "\"viewOff\":{", "\"viewOn\":{", "\"medianCallsPerSecond\":19000.0",
                "\"callsCounted\":586000", "\"viewOffCpuMicrosPerCall\":45.0", "\"cpuAdded\":0.044");
    }

    @Test
    void aFasterViewOnIsNoLossAndMeetsTheTarget() {
        GrpcViewReport report = new GrpcViewReport(8, 64, "Sluice", List.of(window(100_000, MILLI)),
                List.of(window(101_000, MILLI)), List.of(30.0), List.of(30.0), 101_000);

        assertThat(report.loss()).isCloseTo(-0.01, within(1e-9));
        assertThat(report.pairedLoss()).isCloseTo(-0.01, within(1e-9));
        assertThat(report.text()).contains("-1.0% of the median rate; -1.0% paired, run by run (target: < 5%, met)");
    }
}
