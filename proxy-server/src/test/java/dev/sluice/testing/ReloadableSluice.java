package dev.sluice.testing;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.reload.ConfigReloader;
import dev.sluice.reload.ReloadOutcome;
import dev.sluice.reload.ReloadTriggers;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A {@link SluiceServer} started from a config FILE the way {@code run} starts it, with its reload triggers (the file
 * poller every 100 ms; SIGHUP is left to a child JVM, see {@code ReloadOnHangupTest}), so a test can rewrite the file
 * and watch the running proxy follow.
 */
public final class ReloadableSluice implements AutoCloseable {
    /** Polled fast, so tests wait little; written into every version of the file (it needs a restart to change). */
    public static final String WATCHED = "reload: {watch: true, interval: 100ms}\n";

    private final Path file;
    private final Metrics metrics;
    private final SluiceServer server;
    private final ReloadTriggers triggers;

    private ReloadableSluice(Path file, Metrics metrics, SluiceServer server, ReloadTriggers triggers) {
        this.file = file;
        this.metrics = metrics;
        this.server = server;
        this.triggers = triggers;
    }

    /**
     * Writes {@code sluice.yaml} in {@code dir} ({@link LoopbackSluice#YAML}, {@link #WATCHED}, then
     * {@code extraYaml}) and starts Sluice from it.
     *
     * @param ca the CA of the file's {@code tls:} block, or null
     */
    public static ReloadableSluice start(Path dir, String extraYaml, CertificateAuthority ca) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, text(extraYaml));
        SluiceConfig config = ConfigLoader.load(file);
        Metrics metrics = Metrics.create();
        SluiceServer server = SluiceServer.start(config, metrics, AccessLog.DISABLED, ca);
        ConfigReloader reloader = new ConfigReloader(file, UnaryOperator.identity(), server::apply, metrics, config, ca);
        ReloadTriggers triggers = ReloadTriggers.start(reloader, config.reload(), false);
        server.reloadBy(triggers::reload);
        return new ReloadableSluice(file, metrics, server, triggers);
    }

    private static String text(String extraYaml) {
        return LoopbackSluice.YAML + WATCHED + LoopbackSluice.shortDrainUnlessTimed(extraYaml);
    }

    /** Rewrites the file in place (truncate, then write), as an editor or {@code cp} would. */
    public void rewrite(String extraYaml) throws IOException {
        rewriteRaw(text(extraYaml));
    }

    /** Writes {@code wholeFile} as it is, broken or not. */
    public void rewriteRaw(String wholeFile) throws IOException {
        Files.writeString(file, wholeFile);
    }

    public Path file() {
        return file;
    }

    /** Reloads now, as SIGHUP would, and waits for the outcome. */
    public ReloadOutcome reloadNow() throws Exception {
        return triggers.reload("test").get(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    public InetSocketAddress proxyAddress() {
        return server.proxyAddress();
    }

    public InetSocketAddress adminAddress() {
        return server.adminAddress();
    }

    public double metric(String name, String... labelPairs) {
        return PrometheusText.parse(metrics.scrape()).value(name, labelPairs);
    }

    /** Waits until the file poller has run {@code count} reloads that ended with {@code result}. */
    public void awaitReloads(int count, String result) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        while (metric("sluice_config_reloads_total", "result", result) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + count + " reload(s) with result " + result + "; metrics:\n"
                        + List.of(metrics.scrape().split("\n")).stream()
                        .filter(line -> line.startsWith("sluice_config")).toList());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        triggers.close();
        try {
            server.close();
        } finally {
            metrics.close();
        }
    }
}
