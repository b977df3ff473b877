package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A DELETE on the admin listener needs a {@code Host} that names it by address or as localhost. */
class RebindingGuardTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:9090", "10.1.2.3:9090", "localhost", "LocalHost:9090", "[::1]",
            "[::1]:9090", "[2001:db8::5]:80"})
    void anIpLiteralOrLocalhostWithOrWithoutAPortMayChangeState(String host) {
        assertThat(RebindingGuard.allows(host)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "evil.example", "evil.example:9090", "sluice-admin:9090", "localhost.",
            "localhost.evil.example", "127.0.0.1.nip.io", "0x7f.0.0.1", "127.1", "::1", "[::1", "[evil.example]:9090",
            "127.0.0.1:", "127.0.0.1:90x", "127.0.0.1:123456", "127.0.0.1:9090:1", "[::1]9090"})
    void anyOtherNameOrAMalformedHostIsRefused(String host) {
        assertThat(RebindingGuard.allows(host)).isFalse();
    }
}
