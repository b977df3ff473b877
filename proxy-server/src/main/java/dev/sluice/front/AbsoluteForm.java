package dev.sluice.front;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The scheme and authority of an absolute-form request target ({@code http://host:port/path}); the path stays in
 * the request and is the forwarder's business.
 *
 * @param scheme    lower-case
 * @param authority the text between {@code //} and the path, query or fragment
 */
record AbsoluteForm(String scheme, String authority) {
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    /** Null when {@code uri} is not absolute-form (origin-form {@code /path}, asterisk-form, garbage). */
    static AbsoluteForm parse(String uri) {
        int sep = uri.indexOf("://");
        if (sep <= 0 || !SCHEME.matcher(uri.substring(0, sep)).matches()) {
            return null;
        }
        int start = sep + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        return new AbsoluteForm(uri.substring(0, sep).toLowerCase(Locale.ROOT), uri.substring(start, end));
    }
}
