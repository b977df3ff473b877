package dev.sluice.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, validated once by {@link ConfigLoader}; immutable.
 *
 * @param source        where it was read from (for messages); "<string>" when parsed from text
 * @param listen        the proxy listener
 * @param admin         the admin listener (/metrics, /healthz, /readyz)
 * @param hosts         name to address overrides, consulted before DNS (like /etc/hosts)
 * @param rules         ordered; the first match wins
 * @param defaultAction applied when no rule matches
 * @param tls           Sluice's CA, minted leaves and upstream trust
 * @param grpc          the per-call view of bumped gRPC
 * @param passthrough   when a bump is given up for a splice by itself
 * @param reload        when {@code run} reloads the file by itself
 */
public record SluiceConfig(String source, HostPort listen, HostPort admin, Map<String, InetAddress> hosts,
                           AccessConfig access, AuthConfig auth, List<RuleConfig> rules, Action defaultAction,
                           TimeoutsConfig timeouts, LimitsConfig limits, AccessLogConfig accessLog,
                           TlsConfig tls, GrpcConfig grpc, PassthroughConfig passthrough,
                           ReloadConfig reload) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 3128);
    /** Loopback by default: metrics are not for the world unless the operator says so. */
    public static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 9090);

    public SluiceConfig {
        hosts = Map.copyOf(hosts);
        rules = List.copyOf(rules);
    }

    /** This config with another proxy listener ({@code run --listen}). */
    public SluiceConfig withListen(HostPort newListen) {
        return new SluiceConfig(source, newListen, admin, hosts, access, auth, rules, defaultAction, timeouts, limits,
                accessLog, tls, grpc, passthrough, reload);
    }

    /** This config with another admin listener ({@code run --admin}). */
    public SluiceConfig withAdmin(HostPort newAdmin) {
        return new SluiceConfig(source, listen, newAdmin, hosts, access, auth, rules, defaultAction, timeouts, limits,
                accessLog, tls, grpc, passthrough, reload);
    }
}
