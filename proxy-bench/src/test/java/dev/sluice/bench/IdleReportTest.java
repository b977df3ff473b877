package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class IdleReportTest {
    private static final long MIB = 1 << 20;

    @Test
    void theCostPerTunnelIsTheGrowthDividedByTheTunnels() {
        assertThat(IdleReport.perTunnel(100 * MIB, 100 * MIB + 8000 * 10240L, 8000)).isEqualTo(10240.0);
    }

    @Test
    void printsEachFigureAndWhetherTheTargetIsMet() {
        MemorySample before = new MemorySample(100 * MIB, OptionalLong.of(2 * MIB), OptionalLong.empty());
        MemorySample after = new MemorySample(100 * MIB + 8000 * 20480L, OptionalLong.of(3 * MIB), OptionalLong.empty());

        String text = new IdleReport(8000, before, after, true, 16 * 1024).text();

        assertThat(text).contains("8000 idle CONNECT tunnels")
                .containsPattern("RSS +before +100\\.0 MiB +after +256\\.3 MiB +per tunnel +20\\.00 KB")
                .containsPattern("Netty direct +before +2\\.0 MiB +after +3\\.0 MiB +per tunnel +0\\.13 KB")
                .contains("Java heap used   not in /metrics")
                .contains("RSS < 16 KB per tunnel: NOT met");
    }
}
