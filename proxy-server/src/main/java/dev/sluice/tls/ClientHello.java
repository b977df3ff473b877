package dev.sluice.tls;

import java.util.List;

/**
 * What Sluice needs from a client's ClientHello to decide and to re-originate TLS upstream.
 *
 * @param legacyVersion  the {@code legacy_version} field, e.g. {@code 0x0303}
 * @param serverName     the SNI host name, lower-cased ASCII, or null when the client sent none
 * @param alpnProtocols  the ALPN protocols offered, in the client's order, byte-for-byte (ISO-8859-1);
 *                       empty when the client sent no ALPN extension
 * @param offersTls13    whether {@code supported_versions} lists TLS 1.3
 */
public record ClientHello(int legacyVersion, String serverName, List<String> alpnProtocols, boolean offersTls13) {
    public ClientHello {
        alpnProtocols = List.copyOf(alpnProtocols);
    }
}
