package dev.sluice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The Sluice config of the bump benchmarks: the splice benchmark's (loopback clients and destinations, any port, no
 * access log) with every CONNECT bumped, the bench's host names mapped to 127.0.0.1 with {@code hosts:}, Sluice's CA
 * created on first start where the config says, and only the bench's origin CA trusted upstream.
 *
 * @param hosts       bench host names, each mapped to 127.0.0.1
 * @param tlsProvider {@code tls.provider}: {@code auto}, {@code openssl} or {@code jdk}
 */
record BumpConfig(List<String> hosts, String tlsProvider) {
    BumpConfig {
        hosts = List.copyOf(hosts);
    }

    /**
     * The YAML text; {@code caCert} and {@code caKey} need not exist yet (Sluice then makes its CA there), the
     * {@code upstreamTrust} PEM file must.
     */
    String yaml(Path caCert, Path caKey, Path upstreamTrust) {
        StringBuilder yaml = new StringBuilder(SpliceBench.CONFIG).append("default: bump\n");
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
