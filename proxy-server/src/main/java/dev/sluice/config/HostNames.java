package dev.sluice.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/** How host names are compared everywhere: lower case, no trailing dot, IPv6 literals without brackets. */
public final class HostNames {
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*");

    private HostNames() {
    }

    /**
     * The form policy compares: {@code Example.COM.} and {@code example.com} are one host, so a trailing dot
     * cannot slip past a rule.
     */
    public static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /**
     * Whether an HTTP authority ({@code :authority} or {@code Host}: {@code host}, {@code host:port},
     * {@code [v6]:port}) names {@code host}, which is already {@link #normalize normalized}; the port is not compared.
     */
    public static boolean authorityNames(String authority, String host) {
        String name = authority;
        int close = name.lastIndexOf(']');
        int colon = name.lastIndexOf(':');
        if (name.startsWith("[") && close > 0) {
            name = name.substring(0, close + 1);
        } else if (colon >= 0 && colon == name.indexOf(':')) {
            name = name.substring(0, colon);
        }
        return normalize(name).equals(host);
    }

    /**
     * An IP literal in the one spelling the front door gives a request's host ({@code 0:0:0:0:0:0:0:1} is {@code ::1},
     * {@code ::ffff:10.0.0.1} is {@code 10.0.0.1}), so a rule naming an address matches however it is written; a name
     * unchanged. {@code host} is already {@link #normalize normalized}.
     */
    public static String canonical(String host) {
        InetAddress literal = Cidr.literal(host);
        return literal == null ? host : NetUtil.toAddressString(Cidr.unmapped(literal));
    }

    /** A DNS name or an IP literal, already {@link #normalize normalized}. */
    public static boolean isValid(String normalizedHost) {
        return normalizedHost.length() <= 253
                && (NAME.matcher(normalizedHost).matches() || Cidr.literal(normalizedHost) != null);
    }
}
