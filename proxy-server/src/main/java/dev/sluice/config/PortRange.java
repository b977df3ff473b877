package dev.sluice.config;

/** {@code 443} or {@code 8000-8999} in YAML. */
public record PortRange(int from, int to) {
    public PortRange {
        if (from < 1 || to > 65535 || from > to) throw new IllegalArgumentException("bad port range " + from + "-" + to);
    }

    public boolean contains(int port) {
        return port >= from && port <= to;
    }

    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }
}
