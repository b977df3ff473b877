package dev.sluice.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.HostPort;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.testing.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload decides: apply or keep, with which errors, which changes and which restart-only keys. */
class ConfigReloaderTest {
    private static final String ONE_RULE = """
            listen: 127.0.0.1:3128
            rules:
              - {name: no-a, match: {host: a.test}, action: deny}
            """;

    @TempDir
    Path dir;
    private Path file;
    private final Metrics metrics = Metrics.create();
    private final List<SluiceConfig> applied = new ArrayList<>();
    private final List<CertificateAuthority> appliedCas = new ArrayList<>();
    private ConfigReloader.Target target = (config, ca) -> {
        applied.add(config);
        appliedCas.add(ca);
    };

    @BeforeEach
    void writeFile() throws Exception {
        file = dir.resolve("sluice.yaml");
        Files.writeString(file, ONE_RULE);
    }

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void aValidFileIsAppliedCountedAndSummarised() throws Exception {
        Files.writeString(file, ONE_RULE + "  - {name: no-b, match: {host: b.test}, action: deny}\ndefault: deny\n");

        ReloadOutcome outcome = reloader(UnaryOperator.identity()).reload("test");

        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.errors()).isEmpty();
        assertThat(outcome.summary()).contains("2 rules (were 1)", "default deny", "no CA", "changed: rules, default");
        assertThat(applied).singleElement().satisfies(config -> assertThat(config.rules()).hasSize(2));
        assertThat(metric("sluice_config_reloads_total", "result", "success")).isEqualTo(1);
        assertThat(metric("sluice_config_last_reload_successful")).isEqualTo(1);
    }

    @Test
    void aFileWithErrorsIsNotAppliedAndEachErrorNamesFileLineAndKey() throws Exception {
        Files.writeString(file, ONE_RULE.replace("deny", "refuse") + "limits: {maxClientConnections: -1}\n");

        ReloadOutcome outcome = reloader(UnaryOperator.identity()).reload("test");

        assertThat(outcome.applied()).isFalse();
        assertThat(applied).isEmpty();
        assertThat(outcome.errors()).containsExactly(
                file + ":3: rules[0].action: expected one of: splice, deny, bump, allow; got 'refuse'",
                file + ":4: limits.maxClientConnections: must be 1-1000000, got -1");
        assertThat(metric("sluice_config_reloads_total", "result", "failure")).isEqualTo(1);
        assertThat(metric("sluice_config_last_reload_successful")).isZero();
    }

    @Test
    void whatCannotBeBuiltLeavesTheConfigurationInForce() throws Exception {
        target = (config, ca) -> {
            throw new IllegalArgumentException("tls.upstreamTrust: cannot read extra.pem");
        };
        Files.writeString(file, ONE_RULE + "default: deny\n");
        ConfigReloader reloader = reloader(UnaryOperator.identity());

        ReloadOutcome outcome = reloader.reload("test");

        assertThat(outcome.applied()).isFalse();
        assertThat(outcome.errors()).containsExactly(file + ": tls.upstreamTrust: cannot read extra.pem");
        assertThat(metric("sluice_config_last_reload_successful")).isZero();
    }

    @Test
    void aCaThatDoesNotLoadIsAnErrorAndNothingIsApplied() throws Exception {
        Files.writeString(file, ONE_RULE + "tls: {ca: {cert: %s, key: %s}}\n"
                .formatted(dir.resolve("missing.crt"), dir.resolve("missing.key")));

        ReloadOutcome outcome = reloader(UnaryOperator.identity()).reload("test");

        assertThat(outcome.applied()).isFalse();
        assertThat(outcome.errors()).singleElement().asString().startsWith(file + ": tls.ca: ");
        assertThat(applied).isEmpty();
    }

    @Test
    void aNewCaIsLoadedAppliedAndItsFilesWatched() throws Exception {
        Path cert = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        CertificateAuthority ca = CertificateAuthority.generate(cert, key, false);
        Files.writeString(file, ONE_RULE + "tls: {ca: {cert: %s, key: %s}, upstreamTrust: [system, %s]}\n"
                .formatted(cert, key, cert));
        ConfigReloader reloader = reloader(UnaryOperator.identity());

        ReloadOutcome outcome = reloader.reload("test");

        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.summary()).contains("CA " + ca.sha256Fingerprint() + " (new)");
        assertThat(appliedCas).singleElement().satisfies(loaded ->
                assertThat(loaded.sha256Fingerprint()).isEqualTo(ca.sha256Fingerprint()));
        assertThat(reloader.watchedFiles()).containsExactly(file, cert, key, cert);
    }

    @Test
    void restartOnlyChangesAreNamedAndTheRestIsApplied() throws Exception {
        Files.writeString(file, ONE_RULE.replace("3128", "3129")
                + "hosts: {a.test: 10.0.0.1}\ntimeouts: {connect: 3s, idleClient: 1m}\n");

        ReloadOutcome outcome = reloader(UnaryOperator.identity()).reload("test");

        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.restartOnly()).containsExactly("listen", "hosts", "timeouts.connect");
        assertThat(outcome.summary()).contains("changed: timeouts");
    }

    @Test
    void commandLineOverridesStayOverTheReloadedFile() throws Exception {
        HostPort fromCommandLine = new HostPort("127.0.0.1", 4000);
        ConfigReloader reloader = reloader(config -> config.withListen(fromCommandLine));

        ReloadOutcome outcome = reloader.reload("test");

        assertThat(outcome.restartOnly()).isEmpty();
        assertThat(applied).singleElement().satisfies(config ->
                assertThat(config.listen()).isEqualTo(fromCommandLine));
    }

    /** A reloader over {@link #file} as it was when the test began, which is what Sluice started with. */
    private ConfigReloader reloader(UnaryOperator<SluiceConfig> overrides) throws Exception {
        SluiceConfig started = overrides.apply(ConfigLoader.parse(ONE_RULE, file.toString()));
        return new ConfigReloader(file, overrides, (config, ca) -> target.apply(config, ca), metrics, started, null);
    }

    private double metric(String name, String... labels) {
        return PrometheusText.parse(metrics.scrape()).value(name, labels);
    }
}
