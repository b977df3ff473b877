package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Samples.median(List.of(1.0, 2.0, 10.0))).isEqualTo(2.0);
        assertThat(Samples.median(List.of(1.0, 2.0, 4.0, 10.0))).isEqualTo(3.0);
        assertThat(Samples.best(List.of(1.0, 2.0, 4.0))).isEqualTo(4.0);
    }

    @Test
    void percentilesTakeTheNearestRank() {
        long[] hundred = LongStream.rangeClosed(1, 100).toArray();

        assertThat(Samples.percentile(hundred, 0.50)).isEqualTo(50);
        assertThat(Samples.percentile(hundred, 0.90)).isEqualTo(90);
        assertThat(Samples.percentile(hundred, 0.99)).isEqualTo(99);
        assertThat(Samples.percentile(hundred, 1.0)).isEqualTo(100);
        assertThat(Samples.percentile(new long[] {7, 8, 9}, 0.99)).as("p99 of a few samples is the largest").isEqualTo(9);
        assertThat(Samples.percentile(new long[] {7}, 0.01)).isEqualTo(7);
    }

    @Test
    void aPercentileNeedsSamplesAndAFractionInRange() {
        assertThatThrownBy(() -> Samples.percentile(new long[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Samples.percentile(new long[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Samples.percentile(new long[] {1}, 99)).isInstanceOf(IllegalArgumentException.class);
    }
}
