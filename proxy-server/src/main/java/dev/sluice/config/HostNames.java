package dev.sluice.config;

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

    /** A DNS name or an IP literal, already {@link #normalize normalized}. */
    public static boolean isValid(String normalizedHost) {
        return normalizedHost.length() <= 253
                && (NAME.matcher(normalizedHost).matches() || Cidr.literal(normalizedHost) != null);
    }
}
