package dev.sluice.reload;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigError;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.ShadowedRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the config file and the CA it names, validates all of it, and only then hands it to the server to swap
 * in. A file that does not validate, a CA that does not load, or contexts that cannot be built leave the
 * configuration in force; every error is logged on a line of its own and counted. Not thread-safe by itself:
 * {@link ReloadTriggers} runs every reload on one thread.
 */
public final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** Where a reloaded configuration goes: {@code SluiceServer::apply}. */
    @FunctionalInterface
    public interface Target {
        /**
         * @throws RuntimeException when what the configuration needs cannot be built, or the server is stopping;
         *                          nothing was changed then. Its message starts with the key at fault, if any.
         */
        void apply(SluiceConfig config, CertificateAuthority ca);
    }

    private record Section(String name, Function<SluiceConfig, Object> value) {
    }

    /** Top-level parts a reload applies, named in its log line when they changed. */
    private static final List<Section> SECTIONS = List.of(
            new Section("access", SluiceConfig::access),
            new Section("auth", SluiceConfig::auth),
            new Section("rules", SluiceConfig::rules),
            new Section("default", SluiceConfig::defaultAction),
            new Section("timeouts", SluiceConfig::timeouts),
            new Section("limits", SluiceConfig::limits),
            new Section("tls", SluiceConfig::tls));

    private final Path configFile;
    private final UnaryOperator<SluiceConfig> overrides;
    private final Target target;
    private final Metrics metrics;
    private final SluiceConfig started;
    private SluiceConfig current;
    private String caFingerprint;

    /**
     * @param overrides what the command line sets over the file ({@code run --listen}, {@code --admin})
     * @param started   the configuration in force, as Sluice started with it (overrides applied)
     * @param ca        its CA, null without {@code tls:}
     */
    public ConfigReloader(Path configFile, UnaryOperator<SluiceConfig> overrides, Target target, Metrics metrics,
                          SluiceConfig started, CertificateAuthority ca) {
        this.configFile = configFile;
        this.overrides = overrides;
        this.target = target;
        this.metrics = metrics;
        this.started = started;
        this.current = started;
        this.caFingerprint = ca == null ? null : ca.sha256Fingerprint();
    }

    /** The files whose contents make the configuration in force: the config file, the CA, the upstream trust. */
    public List<Path> watchedFiles() {
        List<Path> files = new ArrayList<>();
        files.add(configFile);
        if (current.tls().enabled()) {
            files.add(current.tls().ca().cert());
            files.add(current.tls().ca().key());
            files.addAll(current.tls().upstreamTrust().files());
        }
        return files;
    }

    /** @param trigger what asked for it ({@code SIGHUP}, {@code file change}), for the log */
    public ReloadOutcome reload(String trigger) {
        ReloadOutcome outcome = attempt();
        if (outcome.applied()) {
            log.info("config reloaded ({}) from {}: {}", trigger, configFile, outcome.summary());
            if (!outcome.restartOnly().isEmpty()) {
                log.warn("config reload: {} changed in {} but need a restart to take effect; until then they keep "
                        + "their values", String.join(", ", outcome.restartOnly()), configFile);
            }
        } else {
            log.warn("config reload ({}) failed; the configuration in force is kept: {} error(s)", trigger,
                    outcome.errors().size());
            outcome.errors().forEach(error -> log.warn("config reload: {}", error));
        }
        // Counted last: whoever sees the count (an alert, a test) finds the log lines already written.
        metrics.configReload(outcome.applied());
        return outcome;
    }

    private ReloadOutcome attempt() {
        SluiceConfig next;
        try {
            next = overrides.apply(ConfigLoader.load(configFile));
        } catch (ConfigException e) {
            return ReloadOutcome.failed(e.errors().stream().map(ConfigError::toString).toList());
        }
        CertificateAuthority ca = null;
        if (next.tls().enabled()) {
            try {
                ca = CertificateAuthority.load(next.tls().ca().cert(), next.tls().ca().key());
            } catch (CaException e) {
                return ReloadOutcome.failed(List.of(configFile + ": tls.ca: " + e.getMessage()));
            }
        }
        try {
            target.apply(next, ca);
        } catch (RuntimeException e) {
            return ReloadOutcome.failed(List.of(configFile + ": " + e.getMessage()));
        }
        ShadowedRules.in(next.rules()).forEach(dead -> log.warn("{}", dead.warning(configFile.toString())));
        String summary = summary(next, ca);
        List<String> restartOnly = RestartOnlyChanges.between(started, next);
        current = next;
        caFingerprint = ca == null ? null : ca.sha256Fingerprint();
        return new ReloadOutcome(true, List.of(), summary, restartOnly);
    }

    private String summary(SluiceConfig next, CertificateAuthority ca) {
        List<String> changed = new ArrayList<>();
        for (Section section : SECTIONS) {
            if (!Objects.equals(section.value().apply(current), section.value().apply(next))) {
                changed.add(section.name());
            }
        }
        String fingerprint = ca == null ? null : ca.sha256Fingerprint();
        String caText = fingerprint == null ? "no CA"
                : "CA " + fingerprint + (fingerprint.equals(caFingerprint) ? " (unchanged)" : " (new)");
        return String.format("%d rules (were %d), default %s, %s; changed: %s", next.rules().size(),
                current.rules().size(), next.defaultAction().yamlName(), caText,
                changed.isEmpty() ? "nothing the reload applies" : String.join(", ", changed));
    }
}
