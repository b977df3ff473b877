package dev.sluice.config;

import java.util.List;

/**
 * Who may use the proxy and where it may go.
 *
 * @param clients           client CIDRs allowed to connect at all (default: loopback and RFC 1918 ranges)
 * @param connectPorts      ports a CONNECT may reach (default 443)
 * @param allowDestinations CIDRs exempt from the destination guard (loopback, link-local, ... are denied otherwise)
 */
public record AccessConfig(List<Cidr> clients, List<PortRange> connectPorts, List<Cidr> allowDestinations) {
    /** Loopback and private ranges may use the proxy; CONNECT reaches 443 only. */
    public static final AccessConfig DEFAULTS = new AccessConfig(
            List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7").stream()
                    .map(Cidr::parse).toList(),
            List.of(new PortRange(443, 443)),
            List.of());

    public AccessConfig {
        clients = List.copyOf(clients);
        connectPorts = List.copyOf(connectPorts);
        allowDestinations = List.copyOf(allowDestinations);
    }
}
