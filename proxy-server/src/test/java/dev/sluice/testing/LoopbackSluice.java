package dev.sluice.testing;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.server.SluiceServer;

/**
 * A bare {@link SluiceServer} for tests of the server itself (its metrics, its closing), where
 * {@link SluiceFixture} would hide too much.
 */
public final class LoopbackSluice {
    /**
     * Ephemeral loopback listeners; clients from 127.0.0.0/8 may CONNECT to any port and reach 127.0.0.0/8,
     * and {@link TestPki#ORIGIN_HOST} is 127.0.0.1.
     */
    public static final String YAML = """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            hosts:
              %s: 127.0.0.1
            access:
              clients: [127.0.0.0/8]
              connectPorts: [1-65535]
              allowDestinations: [127.0.0.0/8]
            """.formatted(TestPki.ORIGIN_HOST);

    private LoopbackSluice() {
    }

    /** Starts Sluice from {@link #YAML} plus {@code extraYaml} (top-level keys such as {@code rules:}). */
    public static SluiceServer start(String extraYaml, AccessLog accessLog) throws ConfigException,
            InterruptedException {
        return SluiceServer.start(ConfigLoader.parse(YAML + shortDrainUnlessTimed(extraYaml), "test.yaml"),
                Metrics.create(), accessLog);
    }

    /**
     * {@code extraYaml} with {@code timeouts: {drain: 1s}} added when it sets no {@code timeouts:} of its own: a test
     * that ends with a connection still open would otherwise wait out the 20 s default drain in its close.
     */
    static String shortDrainUnlessTimed(String extraYaml) {
        return extraYaml.contains("timeouts:") ? extraYaml : extraYaml + "\ntimeouts: {drain: 1s}\n";
    }
}
