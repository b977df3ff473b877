package dev.sluice.testing;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An HTTP/1.x response read off a raw socket; header names are lower-cased. */
public record RawResponse(String version, int status, String reason, Map<String, List<String>> headers, String body) {
    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
