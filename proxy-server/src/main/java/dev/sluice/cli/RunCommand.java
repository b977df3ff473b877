package dev.sluice.cli;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.HostPort;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TlsConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.ShadowedRules;
import dev.sluice.reload.ConfigReloader;
import dev.sluice.reload.ReloadTriggers;
import dev.sluice.server.SluiceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts the proxy and admin listeners and serves until the process is stopped (SIGTERM drains); SIGHUP and changes
 * to the config file or the files it names reload the configuration.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Start the proxy.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "config/sluice.yaml",
            description = "YAML config file (default: ${DEFAULT-VALUE}).")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Proxy listener; overrides 'listen' in the file.")
    HostPort listen;

    @Option(names = "--admin", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Admin listener (/metrics, /healthz, /readyz); overrides 'admin' in the file.")
    HostPort admin;

    @Override
    public Integer call() throws InterruptedException {
        SluiceConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            CheckConfigCommand.printErrors(e, spec.commandLine().getErr());
            return 1;
        }
        ShadowedRules.in(config.rules()).forEach(dead -> log.warn("{}", dead.warning(configFile.toString())));
        config = overrides(config);
        CertificateAuthority ca = null;
        if (config.tls().enabled()) {
            try {
                ca = openCa(config.tls().ca());
            } catch (CaException e) {
                spec.commandLine().getErr().println("sluice: cannot start: " + e.getMessage());
                return 1;
            }
        }

        Metrics metrics = Metrics.create(config.grpc());
        metrics.configRules(config.rules().size());
        AccessLog accessLog = AccessLog.create(config.accessLog(), metrics);
        SluiceServer server;
        try {
            server = SluiceServer.start(config, metrics, accessLog, ca);
        } catch (InterruptedException e) {
            accessLog.close();
            throw e;
        } catch (Exception e) {
            // Typically a port in use: say so in one line rather than a stack trace.
            accessLog.close();
            spec.commandLine().getErr().println("sluice: cannot start: " + e);
            return 1;
        }
        log.info("Sluice listening on {} (proxy) and {} (admin); config {}: {} rules, default {}",
                server.proxyAddress(), server.adminAddress(), config.source(), config.rules().size(),
                config.defaultAction().yamlName());
        ReloadTriggers reloads = ReloadTriggers.start(
                new ConfigReloader(configFile, this::overrides, server::apply, metrics, config, ca),
                config.reload(), true);
        server.reloadBy(reloads::reload);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Sluice stopping");
            reloads.close();
            server.close();
            accessLog.close();
            metrics.close();
        }, "sluice-shutdown"));
        server.awaitTermination();
        return 0;
    }

    /** The file's config with what the command line sets over it. */
    private SluiceConfig overrides(SluiceConfig fromFile) {
        SluiceConfig config = fromFile;
        if (listen != null) config = config.withListen(listen);
        if (admin != null) config = config.withAdmin(admin);
        return config;
    }

    /** Loads the configured CA; when neither of its files exists yet, creates it (first start). */
    private static CertificateAuthority openCa(TlsConfig.Ca files) throws CaException {
        if (Files.notExists(files.cert()) && Files.notExists(files.key())) {
            CertificateAuthority ca = CertificateAuthority.generate(files.cert(), files.key(), false);
            log.info("Created a new CA {} (key {}), SHA-256 fingerprint {}; clients must trust it "
                    + "(GET /ca.crt on the admin listener)", files.cert(), files.key(), ca.sha256Fingerprint());
            return ca;
        }
        CertificateAuthority ca = CertificateAuthority.load(files.cert(), files.key());
        log.info("Loaded CA {}, SHA-256 fingerprint {}", files.cert(), ca.sha256Fingerprint());
        return ca;
    }
}
