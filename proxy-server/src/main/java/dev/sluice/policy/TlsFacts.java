package dev.sluice.policy;

import java.util.List;

/**
 * What a client's ClientHello told policy.
 *
 * @param serverName the SNI host name, lower-cased, or null when the client sent none (or its first flight was not
 *                   TLS); {@code sni:} criteria then match the CONNECT host instead
 * @param alpnOffers the ALPN protocol ids the client offered, in its order; empty when it offered none
 */
public record TlsFacts(String serverName, List<String> alpnOffers) {
    /** A first flight that was not a readable ClientHello. */
    public static final TlsFacts NONE = new TlsFacts(null, List.of());

    public TlsFacts {
        alpnOffers = List.copyOf(alpnOffers);
    }
}
