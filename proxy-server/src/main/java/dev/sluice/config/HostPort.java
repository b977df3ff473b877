package dev.sluice.config;

import java.net.InetSocketAddress;

/** A listen address as written in YAML ({@code 0.0.0.0:3128}, {@code [::1]:3128}); port 0 means ephemeral. */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
