package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The Sluice config of the bump benchmarks: the splice benchmark's (loopback clients and destinations, any port, no
 * access log unless asked for) with every CONNECT bumped, the bench's host names mapped to 127.0.0.1 with
 * {@code hosts:}, Sluice's CA created on first start where the config says, and only the bench's origin CA trusted
 * upstream.
 *
 * @param hosts        bench host names, each mapped to 127.0.0.1
 * @param tlsProvider  {@code tls.provider}: {@code auto}, {@code openssl} or {@code jdk}
 * @param grpcCallView {@code grpc.callView}, or null to leave Sluice's default (on)
 * @param accessLog    whether Sluice writes its access log, to {@code access.log} beside its CA certificate
 * @param splicePort   CONNECTs to this port are spliced by a rule named {@code splice-port} rather than bumped, or
 *                     null to bump them all
 */
record BumpConfig(List<String> hosts, String tlsProvider, Boolean grpcCallView, boolean accessLog, Integer splicePort) {
    static final String ACCESS_LOG_FILE = "access.log";
    BumpConfig {
        hosts = List.copyOf(hosts);
    }

    /** Every CONNECT bumped. */
    BumpConfig(List<String> hosts, String tlsProvider, Boolean grpcCallView, boolean accessLog) {
        this(hosts, tlsProvider, grpcCallView, accessLog, null);
    }

    /** Sluice's default gRPC view, no access log. */
    BumpConfig(List<String> hosts, String tlsProvider) {
        this(hosts, tlsProvider, null, false);
    }

    /**
     * The YAML text; {@code caCert} and {@code caKey} need not exist yet (Sluice then makes its CA there), the
     * {@code upstreamTrust} PEM file must.
     */
    String yaml(Path caCert, Path caKey, Path upstreamTrust) {
        StringBuilder yaml = new StringBuilder(SpliceBench.LOOPBACK).append("default: bump\n");
        if (splicePort != null) {
            yaml.append("rules:\n  - name: splice-port\n    match: {port: [").append(splicePort)
                    .append("]}\n    action: splice\n");
        }
        if (accessLog) {
            yaml.append("accessLog:\n  path: ").append(quoted(caCert.resolveSibling(ACCESS_LOG_FILE))).append('\n');
        } else {
            yaml.append("accessLog:\n  enabled: false\n");
        }
        if (grpcCallView != null) {
            yaml.append("grpc:\n  callView: ").append(grpcCallView).append('\n');
        }
        yaml.append("tls:\n")
                .append("  provider: ").append(tlsProvider).append('\n')
                .append("  ca: {cert: ").append(quoted(caCert)).append(", key: ").append(quoted(caKey)).append("}\n")
                .append("  upstreamTrust: [").append(quoted(upstreamTrust)).append("]\n");
        yaml.append("hosts:\n");
        for (String host : hosts) yaml.append("  ").append(host).append(": 127.0.0.1\n");
        return yaml.toString();
    }

    /** A YAML double-quoted scalar, so that any temp-directory path reads back as written. */
    private static String quoted(Path path) {
        return '"' + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
