package dev.sluice.config;

import java.net.InetAddress;

/**
 * An address block ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address means a single host.
 * IPv4 blocks also match IPv4-mapped IPv6 addresses, so a dual-stack listener sees the same policy.
 */
public record Cidr(InetAddress network, int prefixLength) {
    /** Parses {@code addr[/len]}; the address must be a literal (no DNS). Throws IllegalArgumentException. */
    public static Cidr parse(String text) {
        throw new UnsupportedOperationException("implemented in config branch");
    }

    public boolean contains(InetAddress address) {
        throw new UnsupportedOperationException("implemented in config branch");
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
