package dev.sluice.policy;

import dev.sluice.config.Cidr;
import dev.sluice.config.GrpcMethodPattern;
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
    private final Set<String> exactServerNames = new HashSet<>();
    private final List<String> serverNameSuffixes = new ArrayList<>();
    private final Set<String> alpn;
    private final Boolean grpcClient;
    /** The {@code grpc:} criterion of a call rule, else null. */
    private final GrpcMethodPattern grpcMethod;
    private final Decision decision;
    private final Decision provisional;

    RuleMatcher(RuleConfig rule, List<Cidr> globalAllowDestinations) {
        MatchConfig match = rule.match();
        split(match.hosts(), exactHosts, hostSuffixes);
        split(match.sni(), exactServerNames, serverNameSuffixes);
        hostRegex = match.hostRegex();
        ports = match.ports();
        clients = match.clients();
        alpn = Set.copyOf(match.alpn());
        grpcClient = match.grpcClient();
        grpcMethod = match.grpc();
        List<Cidr> allow = new ArrayList<>(globalAllowDestinations);
        allow.addAll(rule.allowDestinations());
        decision = new Decision(rule.action(), rule.name(), "matched rule " + rule.name(), allow,
                rule.verifyUpstream(), rule.autoPassthrough(), false);
        provisional = new Decision(rule.action(), rule.name(), "rule " + rule.name() + " waits for the ClientHello",
                allow, rule.verifyUpstream(), rule.autoPassthrough(), true);
    }

    /** {@code *.example.com} goes to {@code suffixes} as {@code .example.com}, anything else to {@code exact}. */
    private static void split(List<String> patterns, Set<String> exact, List<String> suffixes) {
        for (String pattern : patterns) {
            String normalized = HostNames.normalize(pattern);
            if (normalized.startsWith("*.")) {
                suffixes.add(normalized.substring(1));
            } else {
                exact.add(normalized);
            }
        }
    }

    /** The criteria known at CONNECT time; {@code host} is already {@link HostNames#normalize normalized}. */
    boolean matches(InetAddress client, String host, int port) {
        return nameMatches(host, exactHosts, hostSuffixes)
                && (hostRegex == null || hostRegex.matcher(host).matches())
                && (ports.isEmpty() || PortRange.anyContains(ports, port))
                && (clients.isEmpty() || Cidr.anyContains(clients, client));
    }

    /** The ClientHello criteria; {@code serverName} is normalized. */
    boolean matchesTls(String serverName, List<String> alpnOffers) {
        return nameMatches(serverName, exactServerNames, serverNameSuffixes)
                && (alpn.isEmpty() || alpnOffers.stream().anyMatch(alpn::contains))
                && (grpcClient == null || grpcClient == GrpcClientFingerprint.matches(alpnOffers));
    }

    boolean needsClientHello() {
        return !exactServerNames.isEmpty() || !serverNameSuffixes.isEmpty() || !alpn.isEmpty() || grpcClient != null;
    }

    /** A call rule: decides single gRPC calls, never connections. */
    boolean isCallRule() {
        return grpcMethod != null;
    }

    /** For a call rule: whether it names {@code service}/{@code method}. */
    boolean matchesCall(String service, String method) {
        return grpcMethod.matches(service, method);
    }

    Decision decision() {
        return decision;
    }

    /** What {@link Policy#decideConnect} answers when this rule might match once the ClientHello is read. */
    Decision provisional() {
        return provisional;
    }

    private static boolean nameMatches(String host, Set<String> exact, List<String> suffixes) {
        if (exact.isEmpty() && suffixes.isEmpty()) {
            return true;
        }
        if (exact.contains(host)) {
            return true;
        }
        for (String suffix : suffixes) {
            // The glob needs at least one label before the suffix: *.example.com does not match example.com.
            if (host.length() > suffix.length() && host.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }
}
