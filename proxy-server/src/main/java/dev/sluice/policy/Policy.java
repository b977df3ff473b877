package dev.sluice.policy;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.config.HostNames;
import dev.sluice.config.PortRange;
import dev.sluice.config.SluiceConfig;
import java.net.InetAddress;
import java.util.List;

/**
 * Pure decisions from an immutable config; no IO. Thread-safe.
 * Order: client allowlist, then (for CONNECT) the port allowlist, then rules (first match wins), then default.
 * A CONNECT that reaches a rule matching on {@code sni} or {@code alpn} is decided in two steps: {@link #decideConnect}
 * says the decision awaits the ClientHello, and {@link #decideTls} makes it, refusing a server name that is not the
 * CONNECT host (rule {@code access.sni}).
 */
public final class Policy {
    public static final String CLIENTS_RULE = "access.clients";
    public static final String CONNECT_PORTS_RULE = "access.connectPorts";
    public static final String DEFAULT_RULE = "default";
    public static final String SNI_RULE = "access.sni";

    private final List<Cidr> clients;
    private final List<PortRange> connectPorts;
    private final List<RuleMatcher> rules;
    private final List<RuleMatcher> callRules;
    private final List<RuleMatcher> denyingCallRules;
    private final Decision clientRefused;
    private final Decision byDefault;
    private final Decision callAllowed;

    private Policy(SluiceConfig config) {
        List<Cidr> allow = config.access().allowDestinations();
        clients = config.access().clients();
        connectPorts = config.access().connectPorts();
        List<RuleMatcher> all = config.rules().stream().map(rule -> new RuleMatcher(rule, allow)).toList();
        rules = all.stream().filter(rule -> !rule.isCallRule()).toList();
        callRules = all.stream().filter(RuleMatcher::isCallRule).toList();
        denyingCallRules = callRules.stream().filter(rule -> rule.decision().action() == Action.DENY).toList();
        clientRefused = new Decision(Action.DENY, CLIENTS_RULE, "client address not in access.clients", List.of());
        byDefault = new Decision(config.defaultAction(), DEFAULT_RULE, "no rule matched", allow);
        callAllowed = new Decision(Action.ALLOW, DEFAULT_RULE, "no grpc rule matched", List.of());
    }

    public static Policy from(SluiceConfig config) {
        return new Policy(config);
    }

    /** Whether the client may use the proxy at all (checked at accept, before reading anything). */
    public boolean clientAllowed(InetAddress client) {
        return Cidr.anyContains(clients, client);
    }

    /** A CONNECT: access checks including the connect port allowlist, then rules. */
    public Decision decideConnect(ConnectionFacts facts) {
        if (!clientAllowed(facts.client())) {
            return clientRefused;
        }
        if (!PortRange.anyContains(connectPorts, facts.port())) {
            return new Decision(Action.DENY, CONNECT_PORTS_RULE,
                    "port " + facts.port() + " not in access.connectPorts", List.of());
        }
        return rules(facts);
    }

    /** An absolute-form http:// request: the client allowlist, then rules (any port may be forwarded to). */
    public Decision decideForward(ConnectionFacts facts) {
        if (!clientAllowed(facts.client())) {
            return clientRefused;
        }
        return rules(facts);
    }

    /**
     * The final decision for a CONNECT whose {@link Decision#peeksClientHello()} was true, once its ClientHello
     * (or {@link TlsFacts#NONE}) is known. The access checks already passed in {@link #decideConnect}.
     */
    public Decision decideTls(ConnectionFacts facts, TlsFacts tls) {
        String host = HostNames.normalize(facts.host());
        String serverName = serverName(host, tls);
        if (!serverName.equals(host)) {
            // Otherwise a client could CONNECT to one host while rules see another: an sni: allow rule would open
            // any destination, a host: deny rule would be fronted by an allowed name.
            return new Decision(Action.DENY, SNI_RULE, "TLS server name " + serverName
                    + " is not the CONNECT host " + host, List.of());
        }
        for (RuleMatcher rule : rules) {
            if (rule.matches(facts.client(), host, facts.port()) && rule.matchesTls(serverName, tls.alpnOffers())) {
                return rule.decision();
            }
        }
        return byDefault;
    }

    /** Whether any rule decides calls; without one no request needs its path read for a call. */
    public boolean hasCallRules() {
        return !callRules.isEmpty();
    }

    /**
     * One call inside a bumped connection (any request whose path names a service and method): the first call rule (a
     * rule matching {@code grpc:}) whose criteria all hold decides {@link Action#ALLOW} or {@link Action#DENY}; none
     * matching allows the call.
     *
     * @param facts   the connection's CONNECT facts
     * @param tls     the connection's ClientHello facts
     * @param service the called service, {@code package.Service} from {@code :path /package.Service/Method}
     * @param method  the called method
     */
    public Decision decideCall(ConnectionFacts facts, TlsFacts tls, String service, String method) {
        if (callRules.isEmpty()) {
            return callAllowed;
        }
        String host = HostNames.normalize(facts.host());
        String serverName = serverName(host, tls);
        for (RuleMatcher rule : callRules) {
            // every request whose path names a method comes here: the cheap connection criteria go first
            if (rule.matches(facts.client(), host, facts.port()) && rule.matchesTls(serverName, tls.alpnOffers())
                    && rule.matchesCall(service, method)) {
                return rule.decision();
            }
        }
        return callAllowed;
    }

    /**
     * Whether a call rule with action {@code deny} could apply to calls on this connection: its connection criteria
     * ({@code host}, {@code hostRegex}, {@code port}, {@code clients}, {@code sni}, {@code alpn}, {@code grpcClient})
     * all hold, whatever calls it names. Such a connection must stay bumped, since a splice is never call-checked:
     * automatic passthrough for clients refusing Sluice's leaves neither learns from it nor splices it, or any client
     * could switch the call rules off for itself by refusing leaves.
     */
    public boolean mayDenyCalls(ConnectionFacts facts, TlsFacts tls) {
        String host = HostNames.normalize(facts.host());
        String serverName = serverName(host, tls);
        for (RuleMatcher rule : denyingCallRules) {
            if (rule.matches(facts.client(), host, facts.port()) && rule.matchesTls(serverName, tls.alpnOffers())) {
                return true;
            }
        }
        return false;
    }

    /** The ClientHello's server name, or the (normalized) CONNECT host when it had none. */
    private static String serverName(String host, TlsFacts tls) {
        return tls.serverName() == null ? host : HostNames.normalize(tls.serverName());
    }

    /** Rules in order; the first that needs the ClientHello and could still match makes the decision provisional. */
    private Decision rules(ConnectionFacts facts) {
        String host = HostNames.normalize(facts.host());
        for (RuleMatcher rule : rules) {
            if (rule.matches(facts.client(), host, facts.port())) {
                return rule.needsClientHello() ? rule.provisional() : rule.decision();
            }
        }
        return byDefault;
    }
}
