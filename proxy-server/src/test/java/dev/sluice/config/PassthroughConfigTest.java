package dev.sluice.config;

import static dev.sluice.config.ConfigErrors.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code passthrough:} block: when Sluice gives up a bump for a splice by itself, and for how long. */
class PassthroughConfigTest {
    @Test
    void withoutTheBlockBothKindsAreOnForAnHour() throws ConfigException {
        PassthroughConfig passthrough = ConfigLoader.parse("default: splice\n", "t.yaml").passthrough();

        assertThat(passthrough).isEqualTo(PassthroughConfig.DEFAULTS);
        assertThat(passthrough.mtls()).isEqualTo(new PassthroughConfig.Mtls(true, Duration.ofHours(1)));
        assertThat(passthrough.pinned()).isEqualTo(new PassthroughConfig.Pinned(true, Duration.ofHours(1), 2, 32, 64));
        assertThat(passthrough.maxEntries()).isEqualTo(10_000);
    }

    @Test
    void partialBlocksKeepTheOtherDefaults() throws ConfigException {
        PassthroughConfig passthrough = ConfigLoader.parse("passthrough:\n  pinned: {threshold: 3}\n", "t.yaml")
                .passthrough();

        assertThat(passthrough.mtls()).isEqualTo(PassthroughConfig.Mtls.DEFAULTS);
        assertThat(passthrough.pinned()).isEqualTo(new PassthroughConfig.Pinned(true, Duration.ofHours(1), 3, 32, 64));
        assertThat(ConfigLoader.parse("passthrough:\n  mtls:\n", "t.yaml").passthrough())
                .isEqualTo(PassthroughConfig.DEFAULTS);
    }

    @Test
    void readsEveryKey() throws ConfigException {
        PassthroughConfig passthrough = ConfigLoader.parse("""
                passthrough:
                  mtls: {enabled: false, ttl: 30m}
                  pinned:
                    enabled: false
                    ttl: 2d
                    threshold: 100
                    ipv4Prefix: 24
                    ipv6Prefix: 48
                  maxEntries: 1000000
                """, "t.yaml").passthrough();

        assertThat(passthrough).isEqualTo(new PassthroughConfig(
                new PassthroughConfig.Mtls(false, Duration.ofMinutes(30)),
                new PassthroughConfig.Pinned(false, Duration.ofDays(2), 100, 24, 48), 1_000_000));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            // key                   | value   | message
            "maxEntries              | 0       | must be 1-1000000, got 0",
            "maxEntries              | 1000001 | must be 1-1000000, got 1000001",
            "pinned.threshold        | 0       | must be 1-100, got 0",
            "pinned.threshold        | 101     | must be 1-100, got 101",
            "pinned.ipv4Prefix       | 7       | must be 8-32, got 7",
            "pinned.ipv4Prefix       | 33      | must be 8-32, got 33",
            "pinned.ipv6Prefix       | 15      | must be 16-128, got 15",
            "pinned.ipv6Prefix       | 129     | must be 16-128, got 129",
            "pinned.ttl              | 0s      | must be longer than zero",
            "pinned.ttl              | 1 hour  | expected a duration like 250ms",
            "mtls.ttl                | 0ms     | must be longer than zero",
            "mtls.enabled            | sure    | expected true or false",
            "pinned.enabled          | 2       | expected true or false",
    })
    void valuesAreBounded(String key, String value, String message) {
        String yaml = key.contains(".")
                ? "passthrough:\n  %s:\n    %s: %s\n".formatted(key.substring(0, key.indexOf('.')),
                        key.substring(key.indexOf('.') + 1), value)
                : "passthrough:\n  %s: %s\n".formatted(key, value);
        int line = key.contains(".") ? 3 : 2;

        assertErrors(yaml, message).containsExactly(tuple("t.yaml", line, "passthrough." + key));
    }

    @Test
    void unknownKeysAndWrongTypes() {
        assertErrors("passthrough:\n  pinned: {treshold: 3}\n", "unknown key; expected one of: enabled, ttl, threshold")
                .containsExactly(tuple("t.yaml", 2, "passthrough.pinned.treshold"));
        assertErrors("passthrough:\n  mtls: {enabled: true, ttl: 1h, hosts: [a]}\n", "unknown key; expected one of: enabled, ttl")
                .containsExactly(tuple("t.yaml", 2, "passthrough.mtls.hosts"));
        assertErrors("passthrough:\n  maxentries: 5\n", "unknown key; expected one of: mtls, pinned, maxEntries")
                .containsExactly(tuple("t.yaml", 2, "passthrough.maxentries"));
        assertErrors("passthrough:\n  mtls: off\n", "expected a mapping").containsExactly(tuple("t.yaml", 2, "passthrough.mtls"));
        assertErrors("passthrough: [mtls]\n", "expected a mapping").containsExactly(tuple("t.yaml", 1, "passthrough"));
    }
}
