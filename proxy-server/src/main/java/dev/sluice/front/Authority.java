package dev.sluice.front;

import io.netty.util.NetUtil;
import java.util.Locale;

/**
 * A request's {@code host[:port]}, parsed strictly: no userinfo, no path, IPv6 only in brackets, port 1-65535.
 * IP literals are canonicalised ({@code 010.0.0.1} is {@code 10.0.0.1}) and a trailing dot is dropped, so a
 * policy written for a name cannot be sidestepped by another spelling of it.
 *
 * @param host lower-case name or canonical IP literal, without brackets
 * @param port destination port
 */
public record Authority(String host, int port) {
    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    /**
     * @param defaultPort the port when none is written; -1 when a port is required (CONNECT)
     * @throws IllegalArgumentException naming what is wrong, fit for a client to read
     */
    public static Authority parse(String text, int defaultPort) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '@') {
                throw new IllegalArgumentException("userinfo (user@) is not allowed");
            }
            if (c == '/' || c == '?' || c == '#' || c == '\\') {
                throw new IllegalArgumentException("a path is not allowed, only host:port");
            }
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException("invalid character in host");
            }
        }
        String host;
        String portText;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in IPv6 address");
            }
            host = ipv6(text.substring(1, close));
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                throw new IllegalArgumentException("unexpected text after IPv6 address");
            }
            portText = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && colon != text.lastIndexOf(':')) {
                throw new IllegalArgumentException("an IPv6 address must be written in brackets");
            }
            host = name(colon < 0 ? text : text.substring(0, colon));
            portText = colon < 0 ? null : text.substring(colon + 1);
        }
        return new Authority(host, port(portText, defaultPort));
    }

    private static String ipv6(String literal) {
        if (literal.indexOf('%') >= 0 || !NetUtil.isValidIpV6Address(literal)) {
            throw new IllegalArgumentException("invalid IPv6 address");
        }
        return NetUtil.toAddressString(NetUtil.createInetAddressFromIpAddressString(literal));
    }

    private static String name(String text) {
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(name);
            if (address == null || address.length != 4) {
                throw new IllegalArgumentException("invalid IPv4 address");
            }
            return NetUtil.bytesToIpAddress(address);
        }
        if (name.length() > MAX_NAME) {
            throw new IllegalArgumentException("host name longer than " + MAX_NAME + " characters");
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("invalid host name");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException("invalid character in host name");
                }
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static int port(String text, int defaultPort) {
        if (text == null || text.isEmpty()) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("port missing (host:port)");
            }
            return defaultPort;
        }
        if (text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid port");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535");
        }
        return port;
    }

    /** {@code host:port}, with IPv6 in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
