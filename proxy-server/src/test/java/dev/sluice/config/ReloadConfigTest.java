package dev.sluice.config;

import static dev.sluice.config.ConfigErrors.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code reload:} block: whether and how often {@code run} polls its files for changes. */
class ReloadConfigTest {
    @Test
    void filesAreWatchedEveryTwoSecondsUnlessSaidOtherwise() throws Exception {
        assertThat(ConfigLoader.parse("default: splice\n", "t.yaml").reload())
                .isEqualTo(new ReloadConfig(true, Duration.ofSeconds(2)));
        assertThat(ConfigLoader.parse("reload: {watch: false}\n", "t.yaml").reload())
                .isEqualTo(new ReloadConfig(false, Duration.ofSeconds(2)));
        assertThat(ConfigLoader.parse("reload:\n  interval: 100ms\n", "t.yaml").reload().interval())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void mistakesNameTheirLineAndKey() {
        assertErrors("reload:\n  interval: 50ms\n", "must be at least 100ms")
                .containsExactly(tuple("t.yaml", 2, "reload.interval"));
        assertErrors("reload:\n  interval: often\n", "expected a duration")
                .containsExactly(tuple("t.yaml", 2, "reload.interval"));
        assertErrors("reload:\n  watch: sometimes\n", "expected true or false")
                .containsExactly(tuple("t.yaml", 2, "reload.watch"));
        assertErrors("reload:\n  poll: 1s\n", "unknown key; expected one of: watch, interval")
                .containsExactly(tuple("t.yaml", 2, "reload.poll"));
    }
}
