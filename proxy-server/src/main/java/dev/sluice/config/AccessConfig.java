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
    public AccessConfig {
        clients = List.copyOf(clients);
        connectPorts = List.copyOf(connectPorts);
        allowDestinations = List.copyOf(allowDestinations);
    }
}
