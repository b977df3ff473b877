package dev.sluice.bench;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Spliced CONNECT throughput against a direct connection on loopback: the same origin, the same client code, runs
 * alternating so that drift on a shared machine hits both sides alike. Sluice runs inside the bench's process, or
 * with {@code --sluice-jar} as its own JVM so that its JIT and GC do not mix with the origin's and the client's;
 * {@code --reference-relay} measures {@link ReferenceRelay} in its place.
 */
@Command(name = "splice", mixinStandardHelpOptions = true,
        description = "Download N bytes directly and through a Sluice CONNECT splice; print MiB/s and the ratio.")
final class SpliceBench implements Callable<Integer> {
    /**
     * Loopback listeners, clients and destinations, any port; no {@code accessLog:} block yet. Every bench client is
     * 127.0.0.1 and the idle bench holds thousands of tunnels, so the connection limits are lifted.
     */
    static final String LOOPBACK = """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            access:
              clients: [127.0.0.0/8]
              connectPorts: [1-65535]
              allowDestinations: [127.0.0.0/8]
            limits:
              maxClientConnections: 1000000
              maxConnectionsPerClient: 1000000
            """;
    static final String CONFIG = LOOPBACK + """
            accessLog:
              enabled: false
            """;

    /** Issue 1's target for the median proxied/direct ratio. */
    static final double TARGET_RATIO = 0.9;

    @Mixin
    private DownloadOptions download;

    @Option(names = "--sluice-jar", paramLabel = "FILE",
            description = "Run Sluice as a separate JVM from this jar (e.g. proxy-server/target/sluice.jar) "
                    + "instead of inside the bench's process.")
    private Path sluiceJar;

    @Option(names = "--sluice-jvm-option", paramLabel = "OPTION",
            description = "A JVM option for the separate Sluice process (repeatable), e.g. -Xmx512m.")
    private List<String> sluiceJvmOptions = new ArrayList<>();

    @Option(names = "--reference-relay",
            description = "Measure a minimal blocking relay instead of Sluice: the ceiling for any relay that "
                    + "copies through user space on this machine.")
    private boolean referenceRelay;

    @Override
    public Integer call() throws Exception {
        AlternatingRuns alternating = download.alternatingRuns();
        if (referenceRelay && sluiceJar != null) throw new IllegalArgumentException("--reference-relay replaces Sluice: drop --sluice-jar");
        try (BlastOrigin origin = new BlastOrigin(download.bytes)) {
            if (referenceRelay) {
                try (ReferenceRelay relay = new ReferenceRelay()) {
                    return measure(alternating, origin.address(), relay.address(), ReferenceRelay.DESCRIPTION);
                }
            }
            if (sluiceJar != null) {
                try (ForkedSluice sluice = ForkedSluice.start(sluiceJar, CONFIG, sluiceJvmOptions)) {
                    return measure(alternating, origin.address(), sluice.proxyAddress(), "Sluice as a separate process");
                }
            }
            SluiceConfig config = ConfigLoader.parse(CONFIG, "bench.yaml");
            try (Metrics metrics = Metrics.create();
                 AccessLog accessLog = AccessLog.create(config.accessLog(), metrics);
                 SluiceServer sluice = SluiceServer.start(config, metrics, accessLog)) {
                return measure(alternating, origin.address(), sluice.proxyAddress(), "Sluice in the bench's process");
            }
        }
    }

    private int measure(AlternatingRuns alternating, InetSocketAddress originAddress, InetSocketAddress proxy,
                        String proxyName) throws IOException {
        Download client = new Download(download.timeout());
        long bytes = download.bytes;
        download.print(alternating.measure("splice", bytes, () -> client.direct(originAddress, bytes),
                () -> client.viaConnect(proxy, originAddress, bytes), proxyName, TARGET_RATIO));
        return 0;
    }
}
