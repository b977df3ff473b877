package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationGuardTest {
    private static final Decision SPLICE = new Decision(Action.SPLICE, "default", "no rule matched", List.of());
    private final DestinationGuard guard = new DestinationGuard(List.of(ip("192.0.2.10")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1        | loopback destination",
            "127.1.2.3        | loopback destination",
            "::1              | loopback destination",
            "::ffff:127.0.0.1 | loopback destination",
            "169.254.169.254  | link-local destination",
            "169.254.0.1      | link-local destination",
            "fe80::1          | link-local destination",
            "febf::1          | link-local destination",
            "0.0.0.0          | unspecified destination",
            "0.1.2.3          | unspecified destination",
            "::               | unspecified destination",
            "224.0.0.1        | multicast destination",
            "ff02::1          | multicast destination",
            "fd00:ec2::254    | cloud metadata destination",
            "100.100.100.200  | cloud metadata destination",
            "192.0.2.10       | proxy's own address",
            "::ffff:192.0.2.10 | proxy's own address",
    })
    void refusesDangerousDestinations(String address, String reason) {
        assertThat(guard.refusal(ip(address), SPLICE)).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "10.0.0.7", "192.168.1.1", "fd00::1", "2001:db8::1", "192.0.2.11"})
    void allowsOrdinaryDestinations(String address) {
        assertThat(guard.refusal(ip(address), SPLICE)).isNull();
    }

    @Test
    void allowDestinationsExemptsAnAddress() {
        Decision metadata = new Decision(Action.SPLICE, "metadata", "matched rule metadata",
                List.of(Cidr.parse("169.254.169.254"), Cidr.parse("127.0.0.0/8")));

        assertThat(guard.refusal(ip("169.254.169.254"), metadata)).isNull();
        assertThat(guard.refusal(ip("::ffff:127.0.0.1"), metadata)).isNull();
        assertThat(guard.refusal(ip("169.254.169.253"), metadata)).isEqualTo("link-local destination");
        assertThat(guard.refusal(ip("::1"), metadata)).isEqualTo("loopback destination");
    }

    @Test
    void aWildcardListenAddressMakesEveryInterfaceAddressOwn() {
        DestinationGuard wildcard = new DestinationGuard(List.of(ip("0.0.0.0")),
                () -> List.of(ip("127.0.0.1"), ip("198.51.100.4"), ip("2001:db8::4")));

        assertThat(wildcard.refusal(ip("198.51.100.4"), SPLICE)).isEqualTo("proxy's own address");
        assertThat(wildcard.refusal(ip("2001:db8::4"), SPLICE)).isEqualTo("proxy's own address");
        assertThat(wildcard.refusal(ip("198.51.100.5"), SPLICE)).isNull();
    }

    @Test
    void theRealInterfaceListIsReadForAWildcard() {
        DestinationGuard wildcard = new DestinationGuard(List.of(ip("::")));

        assertThat(wildcard.refusal(ip("8.8.8.8"), SPLICE)).isNull();
        assertThat(wildcard.refusal(ip("127.0.0.1"), SPLICE)).isEqualTo("loopback destination");
    }

    private static InetAddress ip(String literal) {
        return Cidr.literal(literal);
    }
}
