package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class FirstRequestReportTest {
    private static List<Long> millis(long from, long to) {
        return LongStream.rangeClosed(from, to).map(ms -> ms * 1_000_000L).boxed().toList();
    }

    @Test
    void aNewHostAddsTheDifferenceOfTheMedians() {
        FirstRequestReport report = new FirstRequestReport("Sluice", millis(1, 10), millis(3, 12), millis(9, 18),
                Optional.of(new LeafMintTimes(31, 2.5)));

        assertThat(report.addedMillis()).isCloseTo(6.0, within(1e-9));
        assertThat(report.text())
                .contains("10 requests of each kind")
                .containsPattern("direct +median +5\\.500 ms +p90 +9\\.000 ms")
                .containsPattern("bumped, cached host +median +7\\.500 ms +p90 +11\\.000 ms")
                .containsPattern("bumped, new host +median +13\\.500 ms +p90 +17\\.000 ms")
                .contains("a new host adds 6.000 ms over a cached one (median)   (target: < 5 ms, NOT met)")
                .contains("Sluice's leaf mints (its /metrics): mean 2.500 ms over 31 mints");
        assertThat(report.json()).contains("\"benchmark\":\"first-request\"", "\"addedMillis\":6.0",
                "\"bumpedNewHost\":{\"requests\":10,\"medianMillis\":13.5,\"p90Millis\":17.0}",
                "\"sluiceLeafMints\":{\"count\":31,\"meanMillis\":2.5}");
    }

    @Test
    void withoutSluicesMintTimesTheReportSaysSo() {
        FirstRequestReport report = new FirstRequestReport("Sluice", millis(1, 3), millis(1, 3), millis(1, 3),
                Optional.empty());

        assertThat(report.text()).contains("its /metrics): not in /metrics");
        assertThat(report.json()).doesNotContain("sluiceLeafMints");
    }
}
