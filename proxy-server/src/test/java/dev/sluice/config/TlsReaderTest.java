package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractListAssert;
import org.assertj.core.api.ObjectAssert;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TlsReaderTest {
    @Test
    void withoutATlsBlockNothingIsLoadedAndEveryDefaultHolds() throws ConfigException {
        TlsConfig tls = ConfigLoader.parse("default: splice\n", "t.yaml").tls();

        assertThat(tls.enabled()).isFalse();
        assertThat(tls.ca()).isEqualTo(new TlsConfig.Ca(Path.of("certs/ca.crt"), Path.of("certs/ca.key")));
        assertThat(tls.leaf()).isEqualTo(new TlsConfig.Leaf(Duration.ofDays(7), 2048, Duration.ofHours(1)));
        assertThat(tls.upstreamTrust()).isEqualTo(new TlsConfig.UpstreamTrust(true, List.of()));
    }

    @Test
    void anEmptyTlsBlockTurnsTheCaOnWithTheDefaults() throws ConfigException {
        for (String yaml : List.of("tls:\n", "tls: {}\n")) {
            TlsConfig tls = ConfigLoader.parse(yaml, "t.yaml").tls();

            assertThat(tls.enabled()).as(yaml).isTrue();
            assertThat(tls.ca()).as(yaml).isEqualTo(TlsConfig.Ca.DEFAULTS);
            assertThat(tls.leaf()).as(yaml).isEqualTo(TlsConfig.Leaf.DEFAULTS);
            assertThat(tls.upstreamTrust()).as(yaml).isEqualTo(TlsConfig.UpstreamTrust.DEFAULTS);
        }
    }

    @Test
    void readsEveryKey() throws ConfigException {
        TlsConfig tls = ConfigLoader.parse("""
                tls:
                  ca: {cert: /var/lib/sluice/certs/ca.pem, key: /var/lib/sluice/certs/ca-key.pem}
                  leaf: {maxValidity: 2d, cacheSize: 500, cacheTtl: 30m}
                  upstreamTrust: [system, /etc/sluice/extra-ca.pem, corp/ca.pem]
                  provider: jdk
                """, "t.yaml").tls();

        assertThat(tls).isEqualTo(new TlsConfig(true,
                new TlsConfig.Ca(Path.of("/var/lib/sluice/certs/ca.pem"), Path.of("/var/lib/sluice/certs/ca-key.pem")),
                new TlsConfig.Leaf(Duration.ofDays(2), 500, Duration.ofMinutes(30)),
                new TlsConfig.UpstreamTrust(true, List.of(Path.of("/etc/sluice/extra-ca.pem"), Path.of("corp/ca.pem"))),
                TlsConfig.Provider.JDK));
    }

    @Test
    void relativePathsAreKeptAsWritten() throws ConfigException {
        TlsConfig.Ca ca = ConfigLoader.parse("tls: {ca: {cert: my/ca.crt}}\n", "conf/t.yaml").tls().ca();

        assertThat(ca.cert()).isEqualTo(Path.of("my/ca.crt"));
        assertThat(ca.key()).isEqualTo(TlsConfig.Ca.DEFAULTS.key());
    }

    @Test
    void upstreamTrustWithoutSystemTrustsOnlyTheFiles() throws ConfigException {
        TlsConfig.UpstreamTrust trust = ConfigLoader.parse("tls: {upstreamTrust: /etc/sluice/only.pem}\n", "t.yaml")
                .tls().upstreamTrust();

        assertThat(trust).isEqualTo(new TlsConfig.UpstreamTrust(false, List.of(Path.of("/etc/sluice/only.pem"))));
    }

    @Nested
    class Mistakes {
        @Test
        void unknownKeys() {
            assertErrors("tls:\n  ca: {crt: a.pem}\n  leaf: {ttl: 1h}\n  trust: [system]\n", "unknown key").containsExactly(
                    tuple(2, "tls.ca.crt"), tuple(3, "tls.leaf.ttl"), tuple(4, "tls.trust"));
        }

        @Test
        void notAMapping() {
            assertErrors("tls: on\n", "expected a mapping").containsExactly(tuple(1, "tls"));
            assertErrors("tls:\n  ca: certs/ca.crt\n", "expected a mapping").containsExactly(tuple(2, "tls.ca"));
        }

        @Test
        void theKeyAndTheCertificateInOneFile() {
            assertErrors("tls:\n  ca:\n    cert: certs/ca.pem\n    key: ./certs/ca.pem\n", "must be two files")
                    .containsExactly(tuple(4, "tls.ca.key"));
        }

        @Test
        void anEmptyPath() {
            assertErrors("tls:\n  ca: {key: ''}\n", "expected a file path").containsExactly(tuple(2, "tls.ca.key"));
        }

        @Test
        void leafLimitsOutOfRange() {
            assertErrors("""
                    tls:
                      leaf:
                        maxValidity: 30m
                        cacheSize: 0
                        cacheTtl: 0s
                    """, "").containsExactly(
                    tuple(3, "tls.leaf.maxValidity"), tuple(4, "tls.leaf.cacheSize"), tuple(5, "tls.leaf.cacheTtl"));
            assertErrors("tls: {leaf: {maxValidity: 400d}}\n", "must be 1h-397d").containsExactly(
                    tuple(1, "tls.leaf.maxValidity"));
            assertErrors("tls: {leaf: {maxValidity: 1 week}}\n", "expected a duration like 250ms, 10s, 5m, 1h or 7d")
                    .containsExactly(tuple(1, "tls.leaf.maxValidity"));
        }

        @Test
        void upstreamTrustEmptyOrRepeated() {
            assertErrors("tls: {upstreamTrust: []}\n", "trusts no upstream").containsExactly(tuple(1, "tls.upstreamTrust"));
            assertErrors("tls:\n  upstreamTrust:\n    - system\n    - a.pem\n    - system\n", "listed twice (first at line 3)")
                    .containsExactly(tuple(5, "tls.upstreamTrust[2]"));
            assertErrors("tls: {upstreamTrust: {system: true}}\n", "expected a list")
                    .containsExactly(tuple(1, "tls.upstreamTrust"));
        }
    }

    private static AbstractListAssert<?, List<? extends Tuple>, Tuple, ObjectAssert<Tuple>> assertErrors(
            String yaml, String messagePart) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml"));
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.errors()).allSatisfy(error -> {
            assertThat(error.file()).isEqualTo("t.yaml");
            assertThat(error.message()).contains(messagePart);
        });
        return assertThat(e.errors()).extracting(ConfigError::line, ConfigError::key);
    }
}
