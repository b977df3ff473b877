package dev.sluice.config;

import java.net.InetSocketAddress;

/** A listen address as written in YAML ({@code 0.0.0.0:3128}, {@code [::1]:3128}); port 0 means ephemeral. */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /**
     * Parses {@code host:port}; an IPv6 host is written in brackets ({@code [::1]:3128}).
     * Throws IllegalArgumentException naming what is wrong.
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (Cidr.literal(host) == null || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("not an IPv6 address in brackets: '" + text + "'");
            }
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("write an IPv6 host in brackets, like [::1]:3128");
        } else if (host.isEmpty() || !host.chars().allMatch(HostPort::hostChar)) {
            throw new IllegalArgumentException("not a host name or address: '" + host + "'");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be a number 0-65535, got '" + port + "'");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static boolean hostChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_';
    }
}
