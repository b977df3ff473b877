package dev.sluice.policy;

import static dev.sluice.policy.GrpcClientFingerprintTest.alpn;
import static dev.sluice.policy.GrpcClientPolicyTest.facts;
import static dev.sluice.policy.GrpcClientPolicyTest.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Policy#decideCall}: single gRPC calls inside a bumped connection are decided by call rules (those matching
 * {@code grpc:}) alone, first match wins, and a call no rule matches is allowed.
 */
class CallPolicyTest {
    private static final Policy POLICY = policy("""
            tls: {}
            rules:
              - name: blocked-host
                match: {host: blocked.example}
                action: deny
              - name: ci-may-delete
                match: {clients: [10.20.0.0/16], grpc: {service: pkg.v1.Store, method: "Delete*"}}
                action: allow
              - name: no-deletes
                match: {grpc: {service: pkg.v1.Store, method: "Delete*"}}
                action: deny
              - name: no-admin-on-api
                match: {host: "*.api.example", port: 443, grpc: {service: "pkg.admin.*"}}
                action: deny
              - name: no-reflection-from-grpc-clients
                match: {grpcClient: true, sni: api.example, grpc: {service: grpc.reflection.v1.ServerReflection}}
                action: deny
              - name: any-call-to-legacy
                match: {host: legacy.example, grpc: {service: "*"}}
                action: deny
            default: bump
            """);

    @ParameterizedTest(name = "{0} to {1}:{2} [{3}] calls {4}/{5} -> {6} by {7}")
    @CsvSource({
            // client      host               port  ALPN offers   service                             method       action  rule
            "10.1.0.1,     api.example,       443,  h2,           pkg.v1.Store,                       Get,         ALLOW,  default",
            "10.1.0.1,     api.example,       443,  h2,           pkg.v1.Store,                       DeleteAll,   DENY,   no-deletes",
            "10.1.0.1,     api.example,       443,  h2,           pkg.v1.Store,                       Delete,      DENY,   no-deletes",
            "10.1.0.1,     api.example,       443,  h2,           pkg.v1.Store,                       deleteAll,   DENY,   no-deletes",
            "10.1.0.1,     api.example,       443,  h2,           PKG.V1.STORE,                       DELETEALL,   DENY,   no-deletes",
            "10.1.0.1,     api.example,       443,  h2,           pkg.v1.StoreAdmin,                  DeleteAll,   ALLOW,  default",
            "10.20.3.4,    api.example,       443,  h2,           pkg.v1.Store,                       DeleteAll,   ALLOW,  ci-may-delete",
            "10.1.0.1,     x.api.example,     443,  h2,           pkg.admin.Users,                    Create,      DENY,   no-admin-on-api",
            "10.1.0.1,     x.api.example,     8443, h2,           pkg.admin.Users,                    Create,      ALLOW,  default",
            "10.1.0.1,     api.example,       443,  h2,           pkg.admin.Users,                    Create,      ALLOW,  default",
            "10.1.0.1,     api.example,       443,  h2,           grpc.reflection.v1.ServerReflection, Info,       DENY,   no-reflection-from-grpc-clients",
            "10.1.0.1,     api.example,       443,  h2 http/1.1,  grpc.reflection.v1.ServerReflection, Info,       ALLOW,  default",
            "10.1.0.1,     legacy.example,    443,  h2,           any.Service,                        AnyMethod,   DENY,   any-call-to-legacy",
            "10.1.0.1,     blocked.example,   443,  h2,           any.Service,                        AnyMethod,   ALLOW,  default",
    })
    void callRulesDecideCalls(String client, String host, int port, String offers, String service, String method,
                              Action action, String rule) {
        ConnectionFacts connection = new ConnectionFacts(Cidr.literal(client), host, port);

        Decision decision = POLICY.decideCall(connection, new TlsFacts(host, alpn(offers)), service, method);

        assertThat(decision).extracting(Decision::action, Decision::rule).containsExactly(action, rule);
        assertThat(decision.reason()).isNotBlank();
    }

    @Test
    void withoutAServerNameSniCriteriaOfCallRulesMatchTheConnectHost() {
        Decision decision = POLICY.decideCall(facts("api.example"), new TlsFacts(null, alpn("h2")),
                "grpc.reflection.v1.ServerReflection", "Info");

        assertThat(decision.rule()).isEqualTo("no-reflection-from-grpc-clients");
    }

    @ParameterizedTest(name = "CONNECT {0}")
    @CsvSource({"legacy.example", "api.example", "x.api.example"})
    void callRulesNeverDecideConnections(String host) {
        assertThat(POLICY.decideConnect(facts(host))).extracting(Decision::action, Decision::rule, Decision::awaitsClientHello)
                .containsExactly(Action.BUMP, "default", false);
        assertThat(POLICY.decideTls(facts(host), new TlsFacts(host, alpn("h2")))).extracting(Decision::action, Decision::rule)
                .containsExactly(Action.BUMP, "default");
    }

    @Test
    void aCallRuleMatchingEveryCallStillLeavesConnectionsToTheOtherRules() {
        Policy denyAllCalls = policy("""
                tls: {}
                rules:
                  - {name: no-calls, match: {grpc: {service: "*", method: "*"}}, action: deny}
                  - {name: raw, match: {host: raw.example}, action: splice}
                default: bump
                """);

        assertThat(denyAllCalls.decideConnect(facts("raw.example")).rule()).isEqualTo("raw");
        assertThat(denyAllCalls.decideConnect(facts("other.example")).action()).isEqualTo(Action.BUMP);
        assertThat(denyAllCalls.decideCall(facts("raw.example"), TlsFacts.NONE, "a.B", "C"))
                .extracting(Decision::action, Decision::rule).containsExactly(Action.DENY, "no-calls");
    }

    @ParameterizedTest(name = "{0} to {1}:{2} [{3}]: {4}")
    @CsvSource({
            // client      host               port  ALPN offers   may deny calls
            "10.1.0.1,     store.example,     443,  h2,           true",
            // an allow before the deny may let every call through for CI; the answer errs towards the deny
            "10.20.3.4,    store.example,     443,  h2,           true",
            "10.1.0.1,     other.example,     443,  h2,           false",
            "10.1.0.1,     x.api.example,     443,  h2 http/1.1,  true",
            "10.1.0.1,     x.api.example,     8443, h2,           false",
            "10.1.0.1,     reflect.example,   443,  h2,           true",
            "10.1.0.1,     reflect.example,   443,  h2 http/1.1,  false",
    })
    void callsMayBeDeniedOnAConnectionThatADenyingCallRulesConnectionCriteriaMatch(String client, String host,
                                                                                    int port, String offers,
                                                                                    boolean mayDeny) {
        Policy policy = policy("""
                tls: {}
                rules:
                  - {name: ci-may-delete, match: {clients: [10.20.0.0/16], grpc: {method: "Delete*"}}, action: allow}
                  - {name: store-no-deletes, match: {host: store.example, grpc: {method: "Delete*"}}, action: deny}
                  - {name: no-admin-on-api, match: {host: "*.api.example", port: 443, grpc: {service: "a.*"}}, action: deny}
                  - {name: reflection, match: {grpcClient: true, sni: reflect.example, grpc: {service: r.R}}, action: deny}
                  - {name: anything-on-other, match: {host: other.example, grpc: {service: "*"}}, action: allow}
                default: bump
                """);
        ConnectionFacts connection = new ConnectionFacts(Cidr.literal(client), host, port);

        assertThat(policy.mayDenyCalls(connection, new TlsFacts(host, alpn(offers)))).isEqualTo(mayDeny);
        assertThat(policy.mayDenyCalls(connection, new TlsFacts(null, alpn(offers))))
                .as("without a server name, sni criteria match the CONNECT host").isEqualTo(mayDeny);
    }

    @Test
    void aDenyingCallRuleWithoutConnectionCriteriaMayDenyCallsOnEveryConnection() {
        assertThat(POLICY.mayDenyCalls(facts("any.example"), TlsFacts.NONE)).isTrue();
        assertThat(policy("tls: {}\ndefault: bump\n").mayDenyCalls(facts("any.example"), TlsFacts.NONE)).isFalse();
    }

    @Test
    void withoutCallRulesEveryCallIsAllowed() {
        Decision decision = policy("default: splice\n").decideCall(facts("a.example"), TlsFacts.NONE, "a.B", "C");

        assertThat(decision).extracting(Decision::action, Decision::rule).containsExactly(Action.ALLOW, "default");
    }

    @Test
    void onlyAConfigWithCallRulesHasCallsToDecide() {
        assertThat(POLICY.hasCallRules()).isTrue();
        assertThat(policy("default: splice\n").hasCallRules()).isFalse();
    }
}
