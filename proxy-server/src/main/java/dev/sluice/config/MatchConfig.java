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
 */
public record MatchConfig(List<String> hosts, Pattern hostRegex, List<PortRange> ports, List<Cidr> clients) {
    public static final MatchConfig ANY = new MatchConfig(List.of(), null, List.of(), List.of());

    public MatchConfig {
        hosts = List.copyOf(hosts);
        ports = List.copyOf(ports);
        clients = List.copyOf(clients);
    }
}
