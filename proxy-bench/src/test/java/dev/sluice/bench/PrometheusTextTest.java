package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String SCRAPE = """
            # HELP netty_allocator_memory_used \s
            # TYPE netty_allocator_memory_used gauge
            netty_allocator_memory_used{allocator_type="AdaptiveByteBufAllocator",id="1",memory_type="direct"} 131072.0
            netty_allocator_memory_used{allocator_type="AdaptiveByteBufAllocator",id="1",memory_type="heap"} 0.0
            netty_allocator_memory_used{allocator_type="PooledByteBufAllocator",id="2",memory_type="direct"} 65536.0
            netty_allocator_memory_used_total{memory_type="direct"} 999.0
            sluice_connections_active{kind="tunnel"} 8000.0
            sluice_connections_active{kind="client"} 8001.0
            process_uptime_seconds 12.5
            """;

    @Test
    void sumsEverySampleWithTheLabelAcrossOtherLabels() {
        assertThat(PrometheusText.sum(SCRAPE, "netty_allocator_memory_used", "memory_type", "direct"))
                .hasValue(131072.0 + 65536.0);
    }

    @Test
    void matchesTheLabelWhereverItStandsButNotAsASuffixOfAnotherLabel() {
        assertThat(PrometheusText.sum(SCRAPE, "sluice_connections_active", "kind", "tunnel")).hasValue(8000.0);
        assertThat(PrometheusText.sum("m{subkind=\"tunnel\"} 1.0\n", "m", "kind", "tunnel")).isEmpty();
    }

    @Test
    void readsSamplesWithoutLabels() {
        assertThat(PrometheusText.sum(SCRAPE, "process_uptime_seconds", null, null)).hasValue(12.5);
    }

    @Test
    void aMissingMetricIsEmpty() {
        assertThat(PrometheusText.sum(SCRAPE, "netty_allocator_pooled_arenas", null, null)).isEmpty();
        assertThat(PrometheusText.sum(SCRAPE, "process_uptime", null, null)).isEmpty();
    }
}
