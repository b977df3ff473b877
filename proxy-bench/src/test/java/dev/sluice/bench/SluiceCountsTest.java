package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SluiceCountsTest {
    private static final String BEFORE = """
            sluice_connections_total{kind="client"} 10.0
            sluice_connections_total{kind="tunnel"} 7.0
            sluice_connections_total{kind="bump"} 3.0
            sluice_connections_active{kind="client"} 3.0
            sluice_bytes_total{direction="upstream"} 100.0
            """;
    private static final String AFTER = """
            sluice_connections_total{kind="client"} 25.0
            sluice_connections_total{kind="tunnel"} 17.0
            sluice_connections_total{kind="bump"} 8.0
            sluice_connections_active{kind="client"} 0.0
            sluice_h2_streams_active 0.0
            sluice_connections_active{kind="tunnel"} 0.0
            sluice_errors_total{reason="connect_refused"} 1.0
            sluice_grpc_calls_total{code="OK",method="Echo",service="sluice.bench.Echo"} 4.0
            sluice_grpc_calls_total{code="CANCELLED",method="other",service="other"} 1.0
            sluice_access_log_dropped_total 2.0
            sluice_grpc_messages_total{direction="request"} 40.0
            sluice_grpc_messages_total{direction="response"} 39.0
            sluice_bytes_total{direction="upstream"} 150.0
            sluice_bytes_total{direction="downstream"} 260.0
            """;

    @Test
    void countersAreReadByLabelAndFamiliesNotYetRegisteredCountZero() {
        SluiceCounts before = SluiceCounts.parse(BEFORE);

        assertThat(before).isEqualTo(new SluiceCounts(10, 7, 3, 0, 0, 0, 0, 0, 0, 100, 0, 0, 3, 0));
    }

    @Test
    void sinceIsTheCountersGrowthAndTheGaugesAsTheyAreNow() {
        SluiceCounts delta = SluiceCounts.parse(AFTER).since(SluiceCounts.parse(BEFORE));

        assertThat(delta).isEqualTo(new SluiceCounts(15, 10, 5, 0, 1, 5, 4, 40, 39, 50, 260, 2, 0, 0));
    }
}
