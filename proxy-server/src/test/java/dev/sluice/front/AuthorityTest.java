package dev.sluice.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorityTest {
    @ParameterizedTest(name = "{0} -> {1} port {2}")
    @CsvSource({
            "example.com:443, example.com, 443",
            "EXAMPLE.com:8443, example.com, 8443",
            "example.com.:443, example.com, 443",
            "127.0.0.1:22, 127.0.0.1, 22",
            "[::1]:443, ::1, 443",
            "[2001:DB8::1]:443, 2001:db8::1, 443",
            "under_score.example:1, under_score.example, 1",
            "a.b:65535, a.b, 65535",
    })
    void acceptsConnectTargets(String text, String host, int port) {
        assertThat(Authority.parse(text, -1)).isEqualTo(new Authority(host, port));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "user@example.com:443 | userinfo",
            "user:pw@example.com:443 | userinfo",
            "example.com | port missing",
            "example.com: | port missing",
            "example.com:0 | out of range",
            "example.com:65536 | out of range",
            "example.com:99999 | out of range",
            "example.com:123456 | invalid port",
            "example.com:-1 | invalid port",
            "example.com:+443 | invalid port",
            "example.com:44a | invalid port",
            ":443 | empty host",
            "example.com:443/path | path",
            "http://example.com:443 | path",
            "::1:443 | brackets",
            "[::1 | unclosed",
            "[::1]443 | after IPv6",
            "[fe80::1%25eth0]:443 | invalid IPv6",
            "[not-v6]:443 | invalid IPv6",
            "999.1.1.1:443 | invalid IPv4",
            "1.2.3:443 | invalid IPv4",
            "a..b:443 | invalid host name",
            "exa mple.com:443 | invalid character",
            "exa!mple.com:443 | invalid character in host name",
    })
    void rejectsBadConnectTargets(String text, String why) {
        assertThatThrownBy(() -> Authority.parse(text, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }

    @ParameterizedTest(name = "{0} -> {1} port {2}")
    @CsvSource({
            "example.com, example.com, 80",
            "example.com:, example.com, 80",
            "example.com:8080, example.com, 8080",
            "[::1], ::1, 80",
    })
    void usesTheDefaultPortForAbsoluteForm(String text, String host, int port) {
        assertThat(Authority.parse(text, 80)).isEqualTo(new Authority(host, port));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"example.com:443, example.com:443", "[::1]:443, [::1]:443"})
    void printsAsHostColonPort(String text, String printed) {
        assertThat(Authority.parse(text, -1)).hasToString(printed);
    }
}
