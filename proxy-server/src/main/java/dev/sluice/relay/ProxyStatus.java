package dev.sluice.relay;

/**
 * The RFC 9209 {@code Proxy-Status} field of an answer Sluice gives itself, in HTTP/1.1 and HTTP/2 alike, e.g.
 * {@code sluice; error=connection_refused; details="127.0.0.1:9 refused"}.
 */
public final class ProxyStatus {
    /** The field name; HTTP/2 sends it lower-cased. */
    public static final String FIELD = "Proxy-Status";
    public static final String PROXY_NAME = "sluice";

    private ProxyStatus() {
    }

    /**
     * @param error  an RFC 9209 error type ({@code http_request_denied}, {@code dns_error}, ...)
     * @param detail short human detail
     */
    public static String of(String error, String detail) {
        return PROXY_NAME + "; error=" + error + "; details=" + quote(detail);
    }

    /** An RFC 8941 sf-string: printable ASCII, with backslash and quote escaped; anything else becomes '?'. */
    static String quote(String s) {
        String text = printable(s);
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    /**
     * {@code s} with every character outside printable ASCII replaced by '?': a detail may quote what the client sent
     * (a decoder's message names the bad header), and control bytes must not reach a client's terminal or log.
     */
    public static String printable(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, '?');
            }
        }
        return out == null ? s : out.toString();
    }
}
