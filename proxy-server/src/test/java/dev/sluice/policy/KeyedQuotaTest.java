package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyedQuotaTest {
    @Test
    void eachKeyTakesUpToItsPlacesAndIsForgottenWhenItHoldsNone() {
        KeyedQuota<String> quota = new KeyedQuota<>(2);

        assertThat(quota.take("a")).isTrue();
        assertThat(quota.take("a")).isTrue();
        assertThat(quota.full("a")).isTrue();
        assertThat(quota.take("a")).isFalse();
        assertThat(quota.take("b")).isTrue();
        assertThat(quota.keys()).isEqualTo(2);

        quota.release("a");
        assertThat(quota.take("a")).isTrue();
        quota.release("a");
        quota.release("a");
        quota.release("b");
        assertThat(quota.keys()).isZero();
    }
}
