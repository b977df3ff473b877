package dev.sluice.tls;

/**
 * The outcome of {@link ClientHelloParser#parse}: exactly one {@link Kind}; {@link #clientHello()} is set only
 * for {@link Kind#PARSED}, {@link #reason()} only for {@link Kind#MALFORMED} and {@link Kind#TOO_LARGE}.
 * Reasons are fixed short phrases (never input bytes), so they are safe as metric tags and log fields.
 */
public record ClientHelloResult(Kind kind, ClientHello clientHello, String reason) {
    public enum Kind {
        /** The bytes so far are a valid prefix; read more and parse again from the start. */
        NEED_MORE,
        /** The first byte is not a TLS handshake record (plain HTTP, SSLv2, anything else). */
        NOT_TLS,
        /** TLS framing, but not a well-formed ClientHello; see {@link #reason()}. */
        MALFORMED,
        /** Well-formed so far, but larger than the parser's bound. */
        TOO_LARGE,
        /** A complete ClientHello. */
        PARSED
    }

    static final ClientHelloResult NEED_MORE = new ClientHelloResult(Kind.NEED_MORE, null, null);
    static final ClientHelloResult NOT_TLS = new ClientHelloResult(Kind.NOT_TLS, null, null);

    static ClientHelloResult malformed(String reason) {
        return new ClientHelloResult(Kind.MALFORMED, null, reason);
    }

    static ClientHelloResult tooLarge(String reason) {
        return new ClientHelloResult(Kind.TOO_LARGE, null, reason);
    }

    static ClientHelloResult parsed(ClientHello clientHello) {
        return new ClientHelloResult(Kind.PARSED, clientHello, null);
    }
}
