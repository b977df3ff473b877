package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LeafMintTimesTest {
    @Test
    void theMeanIsTheTimersSumOverItsCount() {
        String scrape = """
                # TYPE sluice_leaf_mint_seconds summary
                sluice_leaf_mint_seconds_count 40.0
                sluice_leaf_mint_seconds_sum 0.1
                sluice_leaf_mint_seconds_max 0.02
                """;

        LeafMintTimes mints = LeafMintTimes.in(scrape).orElseThrow();

        assertThat(mints.mints()).isEqualTo(40);
        assertThat(mints.meanMillis()).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void noTimerOrNoMintsIsEmpty() {
        assertThat(LeafMintTimes.in("process_uptime_seconds 1.0\n")).isEmpty();
        assertThat(LeafMintTimes.in("sluice_leaf_mint_seconds_count 0.0\nsluice_leaf_mint_seconds_sum 0.0\n")).isEmpty();
    }
}
