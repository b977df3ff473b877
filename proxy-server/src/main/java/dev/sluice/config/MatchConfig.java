package dev.sluice.config;

import java.util.List;
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
}
