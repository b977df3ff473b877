package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @ParameterizedTest
    @CsvSource({"0.0.0.0:3128, 0.0.0.0, 3128", "[::1]:0, ::1, 0", "proxy.internal:8080, proxy.internal, 8080",
            "'[::]:3128', ::, 3128"})
    void parsesHostAndPort(String text, String host, int port) {
        HostPort parsed = HostPort.parse(text);

        assertThat(parsed).isEqualTo(new HostPort(host, port));
        assertThat(parsed).hasToString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3128", ":3128", "::1:3128", "[::1]", "[nope]:1", "host:", "host:65536", "host:-1",
            "host:http", "a b:1"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
