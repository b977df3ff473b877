package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlowReaderBenchTest {
    private static final long MB = 1_000_000;

    @Test
    void aReaderAheadOfItsRateWaitsForTheDifference() {
        assertThat(SlowReaderBench.pauseNanos(2 * MB, 1_500_000_000L, MB)).isEqualTo(500_000_000L);
    }

    @Test
    void aReaderBehindItsRateDoesNotWait() {
        assertThat(SlowReaderBench.pauseNanos(MB, 3_000_000_000L, MB)).isZero();
    }
}
