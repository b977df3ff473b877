package dev.sluice.policy;

import dev.sluice.config.Cidr;
import dev.sluice.config.HostNames;
import dev.sluice.config.MatchConfig;
import dev.sluice.config.PortRange;
import dev.sluice.config.RuleConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** One rule's {@code match:} block, prepared once: every present criterion must hold. */
final class RuleMatcher {
    private final Set<String> exactHosts = new HashSet<>();
    /** {@code *.example.com} kept as {@code .example.com}: a host matches when it ends with it. */
    private final List<String> hostSuffixes = new ArrayList<>();
    private final Pattern hostRegex;
    private final List<PortRange> ports;
    private final List<Cidr> clients;
    private final Decision decision;

    RuleMatcher(RuleConfig rule, List<Cidr> globalAllowDestinations) {
        MatchConfig match = rule.match();
        for (String host : match.hosts()) {
            String normalized = HostNames.normalize(host);
            if (normalized.startsWith("*.")) {
                hostSuffixes.add(normalized.substring(1));
            } else {
                exactHosts.add(normalized);
            }
        }
        hostRegex = match.hostRegex();
        ports = match.ports();
        clients = match.clients();
        List<Cidr> allow = new ArrayList<>(globalAllowDestinations);
        allow.addAll(rule.allowDestinations());
        decision = new Decision(rule.action(), rule.name(), "matched rule " + rule.name(), allow);
    }

    /** {@code host} is already {@link HostNames#normalize normalized}. */
    boolean matches(InetAddress client, String host, int port) {
        return hostMatches(host)
                && (hostRegex == null || hostRegex.matcher(host).matches())
                && (ports.isEmpty() || PortRange.anyContains(ports, port))
                && (clients.isEmpty() || Cidr.anyContains(clients, client));
    }

    Decision decision() {
        return decision;
    }

    private boolean hostMatches(String host) {
        if (exactHosts.isEmpty() && hostSuffixes.isEmpty()) {
            return true;
        }
        if (exactHosts.contains(host)) {
            return true;
        }
        for (String suffix : hostSuffixes) {
            // The glob needs at least one label before the suffix: *.example.com does not match example.com.
            if (host.length() > suffix.length() && host.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
