package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleBenchTest {
    @Test
    void eachTunnelNeedsTwoDescriptorsBeyondTheSpares() {
        assertThat(IdleBench.tunnelsWithin(20000)).isEqualTo((20000 - IdleBench.SPARE_DESCRIPTORS) / 2);
        assertThat(IdleBench.tunnelsWithin(1024)).isEqualTo(256);
        assertThat(IdleBench.tunnelsWithin(100)).isZero();
    }
}
