package dev.sluice.config;

import static dev.sluice.config.ConfigErrors.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;

/** The {@code grpc:} block: the per-call view of bumped gRPC. */
class GrpcConfigTest {
    @Test
    void withoutTheBlockTheCallViewIsOnWithFiveHundredLabels() throws ConfigException {
        assertThat(ConfigLoader.parse("default: splice\n", "t.yaml").grpc()).isEqualTo(new GrpcConfig(true, 500))
                .isEqualTo(GrpcConfig.DEFAULTS);
        assertThat(ConfigLoader.parse("grpc:\n", "t.yaml").grpc()).isEqualTo(GrpcConfig.DEFAULTS);
        assertThat(ConfigLoader.parse("grpc: {maxMethodLabels: 20}\n", "t.yaml").grpc()).isEqualTo(new GrpcConfig(true, 20));
    }

    @Test
    void readsEveryKey() throws ConfigException {
        assertThat(ConfigLoader.parse("grpc:\n  callView: false\n  maxMethodLabels: 100000\n", "t.yaml").grpc())
                .isEqualTo(new GrpcConfig(false, 100_000));
        assertThat(ConfigLoader.parse("grpc: {maxMethodLabels: 1}\n", "t.yaml").grpc().maxMethodLabels()).isOne();
    }

    @Test
    void maxMethodLabelsIsBounded() {
        assertErrors("grpc:\n  maxMethodLabels: 0\n", "must be 1-100000, got 0")
                .containsExactly(tuple("t.yaml", 2, "grpc.maxMethodLabels"));
        assertErrors("grpc:\n  maxMethodLabels: 100001\n", "must be 1-100000, got 100001")
                .containsExactly(tuple("t.yaml", 2, "grpc.maxMethodLabels"));
        assertErrors("grpc:\n  maxMethodLabels: lots\n", "expected a whole number")
                .containsExactly(tuple("t.yaml", 2, "grpc.maxMethodLabels"));
    }

    @Test
    void otherMistakes() {
        assertErrors("grpc:\n  callView: maybe\n", "expected true or false").containsExactly(tuple("t.yaml", 2, "grpc.callView"));
        assertErrors("grpc:\n  callview: false\n", "unknown key; expected one of: callView, maxMethodLabels")
                .containsExactly(tuple("t.yaml", 2, "grpc.callview"));
        assertErrors("grpc: on\n", "expected a mapping").containsExactly(tuple("t.yaml", 1, "grpc"));
    }
}
