package dev.sluice.upstream;

import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The config's {@code hosts:} map first, then the system hosts file; both before any DNS query. */
final class HostOverrides implements HostsFileEntriesResolver {
    private final Map<String, InetAddress> overrides;
    private final HostsFileEntriesResolver system;

    HostOverrides(Map<String, InetAddress> overrides, HostsFileEntriesResolver system) {
        Map<String, InetAddress> normalized = new HashMap<>();
        overrides.forEach((name, address) -> normalized.put(normalize(name), address));
        this.overrides = Map.copyOf(normalized);
        this.system = system;
    }

    @Override
    public InetAddress address(String host, ResolvedAddressTypes types) {
        InetAddress override = overrides.get(normalize(host));
        return override != null ? override : system.address(host, types);
    }

    private static String normalize(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
