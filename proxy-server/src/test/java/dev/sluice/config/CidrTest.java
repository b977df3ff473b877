package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CidrTest {
    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.0/8,        10.255.1.2,        true",
            "10.0.0.0/8,        11.0.0.1,          false",
            "172.16.0.0/12,     172.31.255.255,    true",
            "172.16.0.0/12,     172.32.0.0,        false",
            "192.168.1.7,       192.168.1.7,       true",
            "192.168.1.7,       192.168.1.8,       false",
            "0.0.0.0/0,         203.0.113.9,       true",
            "0.0.0.0/0,         ::1,               false",
            "127.0.0.0/8,       ::ffff:127.0.0.1,  true",
            "::1/128,           ::1,               true",
            "::1/128,           127.0.0.1,         false",
            "fc00::/7,          fd12:3456::1,      true",
            "fc00::/7,          fe80::1,           false",
            "fe80::/10,         febf::1,           true",
            "::ffff:10.0.0.0/104, 10.1.2.3,        true",
    })
    void matchesAddressesInsideTheBlock(String cidr, String address, boolean expected) {
        assertThat(Cidr.parse(cidr).contains(ip(address))).isEqualTo(expected);
    }

    @Test
    void anIpv4BlockMatchesAnIpv4MappedIpv6AddressEvenWhenTheJdkKeepsItIpv6() throws UnknownHostException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        InetAddress stillIpv6 = java.net.Inet6Address.getByAddress(null, mapped, -1);

        assertThat(Cidr.parse("127.0.0.0/8").contains(stillIpv6)).isTrue();
    }

    @Test
    void aBareAddressIsASingleHostAndHostBitsAreCleared() {
        assertThat(Cidr.parse("10.1.2.3")).hasToString("10.1.2.3/32");
        assertThat(Cidr.parse("::1")).hasToString("::1/128");
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.com", "localhost/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
            "10.0.0/8", "fe80::1%eth0", "[::1]/128", "::ffff:10.0.0.0/8", "10.0.0.0/-1"})
    void refusesAnythingButALiteralBlock(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void literalNeverResolvesNames() {
        assertThat(Cidr.literal("localhost")).isNull();
        assertThat(Cidr.literal("10.0.0.7")).isEqualTo(ip("10.0.0.7"));
    }

    static InetAddress ip(String literal) {
        InetAddress address = Cidr.literal(literal);
        assertThat(address).as(literal).isNotNull();
        return address;
    }
}
