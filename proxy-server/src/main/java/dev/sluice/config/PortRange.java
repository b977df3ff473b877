package dev.sluice.config;

import java.util.List;

/** {@code 443} or {@code 8000-8999} in YAML. */
public record PortRange(int from, int to) {
    public PortRange {
        if (from < 1 || to > 65535 || from > to) throw new IllegalArgumentException("bad port range " + from + "-" + to);
    }

    /** Parses {@code 443} or {@code 8000-8999}. Throws IllegalArgumentException naming what is wrong. */
    public static PortRange parse(String text) {
        int dash = text.indexOf('-');
        int from = port(dash < 0 ? text : text.substring(0, dash), text);
        int to = dash < 0 ? from : port(text.substring(dash + 1), text);
        if (from > to) {
            throw new IllegalArgumentException("range '" + text + "' ends before it starts");
        }
        return new PortRange(from, to);
    }

    public boolean contains(int port) {
        return port >= from && port <= to;
    }

    /** Whether any of {@code ranges} holds {@code port}; a loop, not a stream, as policy runs per request. */
    public static boolean anyContains(List<PortRange> ranges, int port) {
        for (PortRange range : ranges) {
            if (range.contains(port)) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }

    private static int port(String digits, String text) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a port 1-65535 or a range like 8000-8999, got '" + text + "'");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
        return port;
    }
}
