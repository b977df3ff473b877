package dev.sluice.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code match:} block of a rule. Every present criterion must hold; an empty list means "any".
 *
 * @param hosts     exact names or {@code *.suffix} globs (case-insensitive; the glob also matches deeper subdomains, not the bare suffix)
 * @param hostRegex a full-match, case-insensitive regular expression on the host, or null
 * @param ports     destination ports
 * @param clients   client address blocks
 * @param sni       exact names or {@code *.suffix} globs matched against the TLS server name the client sent (the
 *                  CONNECT host when it sent none); known only after Sluice has read the ClientHello
 * @param alpn      ALPN protocol ids ({@code h2}, {@code http/1.1}, {@code grpc-exp}, ...); holds when the client
 *                  offers any of them; known only after the ClientHello
 * @param grpcClient {@code true}: the client's ALPN offers look like a gRPC client's (h2 or grpc-exp, and not
 *                   http/1.1); {@code false}: they do not; null: either. Known only after the ClientHello
 * @param grpc       the gRPC service and method of a call inside a bumped HTTP/2 connection, or null; a rule with
 *                   it is a call rule ({@link RuleConfig#isCallRule()})
 */
public record MatchConfig(List<String> hosts, Pattern hostRegex, List<PortRange> ports, List<Cidr> clients,
                          List<String> sni, List<String> alpn, Boolean grpcClient, GrpcMethodPattern grpc) {
    public static final MatchConfig ANY = new MatchConfig(List.of(), null, List.of(), List.of(), List.of(), List.of(),
            null, null);

    public MatchConfig {
        hosts = List.copyOf(hosts);
        ports = List.copyOf(ports);
        clients = List.copyOf(clients);
        sni = List.copyOf(sni);
        alpn = List.copyOf(alpn);
    }

    /**
     * Compares {@code hostRegex} by its text and flags ({@link Pattern} has no equality of its own): a reload tells
     * by this whether the rules changed, and retires the open connections if they did.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof MatchConfig other && hosts.equals(other.hosts)
                && regex(hostRegex).equals(regex(other.hostRegex)) && ports.equals(other.ports) && clients.equals(other.clients) && sni.equals(other.sni)
                && alpn.equals(other.alpn) && Objects.equals(grpcClient, other.grpcClient)
                && Objects.equals(grpc, other.grpc);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, regex(hostRegex), ports, clients, sni, alpn, grpcClient, grpc);
    }

    private static List<Object> regex(Pattern pattern) {
        return pattern == null ? List.of() : List.of(pattern.pattern(), pattern.flags());
    }
}
