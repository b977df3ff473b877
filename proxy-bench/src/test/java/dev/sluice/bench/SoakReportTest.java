package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SoakReportTest {
    private static final long MIB = 1 << 20;
    private static final SoakSample BASELINE = sample(30, 28, 150 * MIB, 6 * MIB, 14 * MIB);
    private static final SoakSample PEAK = sample(4050, 28, 320 * MIB, 10 * MIB, 150 * MIB);
    private static final SoakSample BACK = sample(31, 28, 320 * MIB, 9 * MIB, 15 * MIB);
    /** 4 tunnels, 2 streams on 1 channel (7 messages each way), 3 splices and 3 calls that came and went. */
    private static final ClientCounts CLIENTS = new ClientCounts(4, 8, 80, 1, 2, 2, 7, 7, 3, 30, 3, 3, 0);
    /** A line per connection (11) and per call (5). */
    private static final AccessLogTally LOGGED = new AccessLogTally(16, Map.of());
    private static final SluiceCounts AS_COUNTED = new SluiceCounts(11, 7, 4, 0, 0, 5, 5, 10, 10, 5000, 6000, 0, 0, 0);

    private static SoakSample sample(int files, int threads, long rss, long direct, long heap) {
        return new SoakSample(files, threads, new MemorySample(rss, OptionalLong.of(direct), OptionalLong.of(heap)),
                OptionalLong.of(direct));
    }

    private static SoakReport report(SoakSample after, SluiceCounts sluice, long clientErrors) {
        return report(after, sluice, LOGGED, clientErrors);
    }

    private static SoakReport report(SoakSample after, SluiceCounts sluice, AccessLogTally logged, long clientErrors) {
        return new SoakReport(BASELINE, PEAK, after, CLIENTS, sluice, logged, clientErrors,
                clientErrors == 0 ? "" : "       1  tunnel echo  (e.g. java.io.IOException: boom)\n", 0);
    }

    @Test
    void sluiceBackToItsBaselineAndCountingWhatTheClientsDidPasses() {
        SoakReport report = report(BACK, AS_COUNTED, 0);

        assertThat(report.passed()).isTrue();
        assertThat(report.text()).contains("open files", "4050", "connections accepted", "soak PASSED")
                .doesNotContain("FAIL");
    }

    @Test
    void descriptorsNotBackWithinTheToleranceFail() {
        SoakReport report = report(sample(30 + SoakReport.FILE_TOLERANCE + 1, 28, 320 * MIB, 9 * MIB, 15 * MIB),
                AS_COUNTED, 0);

        assertThat(report.passed()).isFalse();
        assertThat(report.text()).contains("FAIL  open files back to baseline: 39 after, 30 before", "soak FAILED");
    }

    @Test
    void directMemoryOrHeapStillGrownFailsButTheResidentSetIsOnlyReported() {
        assertThat(report(sample(31, 28, 320 * MIB, 6 * MIB + SoakReport.DIRECT_TOLERANCE_BYTES + 1, 15 * MIB),
                AS_COUNTED, 0).passed()).isFalse();
        assertThat(report(sample(31, 28, 320 * MIB, 9 * MIB, 14 * MIB + SoakReport.HEAP_TOLERANCE_BYTES + 1),
                AS_COUNTED, 0).passed()).isFalse();
        assertThat(report(sample(31, 28, 4096 * MIB, 9 * MIB, 15 * MIB), AS_COUNTED, 0).passed()).isTrue();
    }

    @Test
    void aConnectionSluiceCountedDifferentlyFromTheClientsFails() {
        SluiceCounts oneMore = new SluiceCounts(12, 8, 4, 0, 0, 5, 5, 10, 10, 5000, 6000, 0, 0, 0);

        assertThat(report(BACK, oneMore, 0).text())
                .contains("FAIL  connections accepted: Sluice counted 12, the clients 11")
                .contains("FAIL  tunnels spliced: Sluice counted 8, the clients 7");
    }

    @Test
    void aConnectionStillActiveOrAnErrorOnEitherSideFails() {
        assertThat(report(BACK, new SluiceCounts(11, 7, 4, 0, 0, 5, 5, 10, 10, 5000, 6000, 0, 1, 0), 0).passed()).isFalse();
        assertThat(report(BACK, new SluiceCounts(11, 7, 4, 0, 2, 5, 5, 10, 10, 5000, 6000, 0, 0, 0), 0).passed()).isFalse();
        assertThat(report(BACK, AS_COUNTED, 1).text()).contains("client errors by kind:", "tunnel echo",
                "FAIL  no unexpected client errors (1)");
    }

    @Test
    void accessLogLinesMissingOrCarryingAnErrorFailButDroppedOnesAreAccountedFor() {
        SluiceCounts twoDropped = new SluiceCounts(11, 7, 4, 0, 0, 5, 5, 10, 10, 5000, 6000, 2, 0, 0);

        assertThat(report(BACK, twoDropped, new AccessLogTally(14, Map.of()), 0).passed()).isTrue();
        assertThat(report(BACK, AS_COUNTED, new AccessLogTally(15, Map.of()), 0).text())
                .contains("FAIL  an access-log line per connection and per call: 15 written + 0 dropped, the clients "
                        + "expect 16");
        assertThat(report(BACK, AS_COUNTED, new AccessLogTally(16, Map.of("upstream_reset", 1L)), 0).text())
                .contains("FAIL  no access-log line with an error: {upstream_reset=1}");
    }

    @Test
    void fewerBytesThanTheClientsSentThroughTheSplicesFail() {
        SluiceCounts tooFew = new SluiceCounts(11, 7, 4, 0, 0, 5, 5, 10, 10, 109, 6000, 0, 0, 0);

        assertThat(report(BACK, tooFew, 0).text()).contains("FAIL  Sluice relayed at least the spliced bytes the "
                + "clients sent: 109 >= 110");
    }
}
