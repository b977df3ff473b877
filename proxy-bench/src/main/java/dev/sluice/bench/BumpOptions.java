package dev.sluice.bench;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Command-line options of the bump benchmarks, and the bumping Sluice they describe. */
final class BumpOptions {
    @Mixin
    ForkedSluiceOptions sluice;

    @Option(names = "--sluice-tls-provider", paramLabel = "auto|openssl|jdk", defaultValue = "auto",
            description = "Sluice's tls.provider (default: ${DEFAULT-VALUE}).")
    String tlsProvider;

    /** Starts Sluice bumping every CONNECT, with {@code hosts} mapped to 127.0.0.1 and {@code pki}'s CA trusted. */
    BumpingSluice start(BenchPki pki, List<String> hosts) throws IOException, InterruptedException {
        return start(pki, hosts, null, false);
    }

    /** As above, with {@code grpc.callView} set (null: Sluice's default) and the access log on or off. */
    BumpingSluice start(BenchPki pki, List<String> hosts, Boolean grpcCallView, boolean accessLog)
            throws IOException, InterruptedException {
        return start(pki, hosts, grpcCallView, accessLog, null);
    }

    /** As above, with CONNECTs to {@code splicePort} spliced rather than bumped (null: none). */
    BumpingSluice start(BenchPki pki, List<String> hosts, Boolean grpcCallView, boolean accessLog, Integer splicePort)
            throws IOException, InterruptedException {
        return BumpingSluice.start(sluice.jar, sluice.jvmOptions,
                new BumpConfig(hosts, tlsProvider, grpcCallView, accessLog, splicePort), pki);
    }

    /** Names the proxied side in reports. */
    String describe() {
        return "Sluice bumping as a separate process (tls.provider " + tlsProvider + ")";
    }
}
