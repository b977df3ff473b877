package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PortRange;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TlsConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BumpConfigTest {
    private static final Path DIR = Path.of("/tmp/sluice bench \"7\"");

    private static SluiceConfig parse(BumpConfig config) throws Exception {
        return ConfigLoader.parse(config.yaml(DIR.resolve("ca.crt"), DIR.resolve("ca.key"), DIR.resolve("origin-ca.pem")),
                "bench.yaml");
    }

    @Test
    void everyConnectIsBumpedWithSluicesCaWhereTheBenchWillReadIt() throws Exception {
        SluiceConfig config = parse(new BumpConfig(List.of("bulk.bench.test"), "auto"));

        assertThat(config.defaultAction()).isEqualTo(Action.BUMP);
        assertThat(config.rules()).isEmpty();
        assertThat(config.tls().enabled()).isTrue();
        assertThat(config.tls().ca().cert()).as("a path with a space and quotes reads back as written")
                .isEqualTo(DIR.resolve("ca.crt"));
        assertThat(config.tls().ca().key()).isEqualTo(DIR.resolve("ca.key"));
        assertThat(config.tls().provider()).isEqualTo(TlsConfig.Provider.AUTO);
        assertThat(config.accessLog().enabled()).isFalse();
    }

    @Test
    void onlyTheBenchOriginCaIsTrustedUpstream() throws Exception {
        TlsConfig.UpstreamTrust trust = parse(new BumpConfig(List.of("bulk.bench.test"), "auto")).tls().upstreamTrust();

        assertThat(trust.system()).isFalse();
        assertThat(trust.files()).containsExactly(DIR.resolve("origin-ca.pem"));
    }

    @Test
    void benchHostsReachLoopbackOnAnyPort() throws Exception {
        SluiceConfig config = parse(new BumpConfig(FirstRequestBench.hosts("new", 3), "auto"));
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        assertThat(config.hosts()).containsOnlyKeys("new-0.bench.test", "new-1.bench.test", "new-2.bench.test");
        assertThat(config.hosts().values()).containsOnly(loopback);
        assertThat(Cidr.anyContains(config.access().allowDestinations(), loopback)).isTrue();
        assertThat(PortRange.anyContains(config.access().connectPorts(), 54321)).isTrue();
    }

    @Test
    void theGrpcViewIsSluicesDefaultUnlessSet() throws Exception {
        assertThat(parse(new BumpConfig(List.of("a.bench.test"), "auto")).grpc().callView()).isTrue();
        assertThat(parse(new BumpConfig(List.of("a.bench.test"), "auto", false, false)).grpc().callView()).isFalse();
        assertThat(parse(new BumpConfig(List.of("a.bench.test"), "auto", true, false)).grpc().callView()).isTrue();
    }

    @Test
    void anAccessLogGoesBesideTheCa() throws Exception {
        SluiceConfig config = parse(new BumpConfig(List.of("a.bench.test"), "auto", null, true));

        assertThat(config.accessLog().enabled()).isTrue();
        assertThat(config.accessLog().path()).isEqualTo(DIR.resolve("access.log").toString());
    }

    @Test
    void connectsToTheSplicePortAreSplicedAndTheRestBumped() throws Exception {
        SluiceConfig config = parse(new BumpConfig(List.of("a.bench.test"), "auto", null, false, 4242));

        assertThat(config.rules()).singleElement().satisfies(rule -> {
            assertThat(rule.name()).isEqualTo("splice-port");
            assertThat(rule.action()).isEqualTo(Action.SPLICE);
            assertThat(PortRange.anyContains(rule.match().ports(), 4242)).isTrue();
            assertThat(PortRange.anyContains(rule.match().ports(), 4243)).isFalse();
        });
        assertThat(config.defaultAction()).isEqualTo(Action.BUMP);
    }

    @Test
    void theTlsProviderIsPassedThrough() throws Exception {
        assertThat(parse(new BumpConfig(List.of("a.bench.test"), "jdk")).tls().provider())
                .isEqualTo(TlsConfig.Provider.JDK);
        assertThat(parse(new BumpConfig(List.of("a.bench.test"), "openssl")).tls().provider())
                .isEqualTo(TlsConfig.Provider.OPENSSL);
    }
}
