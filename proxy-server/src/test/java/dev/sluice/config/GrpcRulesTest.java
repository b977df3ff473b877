package dev.sluice.config;

import static dev.sluice.config.ConfigErrors.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules that target gRPC: {@code match.grpcClient} on the ClientHello, call rules ({@code match.grpc} with
 * {@code allow} or {@code deny}), and {@code autoPassthrough} on bump rules.
 */
class GrpcRulesTest {
    @Test
    void readsGrpcClientCallRulesAndAutoPassthrough() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("""
                tls: {}
                rules:
                  - name: grpc-raw
                    match: {grpcClient: true}
                    action: splice
                  - name: browsers
                    match: {grpcClient: false, host: "*.corp.example"}
                    action: bump
                    autoPassthrough: false
                  - name: no-deletes
                    match:
                      host: api.corp.example
                      grpc: {service: pkg.v1.Store, method: "Delete*"}
                    action: deny
                  - name: health
                    match: {grpc: {method: Check}}
                    action: allow
                  - name: v1
                    match: {grpc: {service: "pkg.v1.*"}}
                    action: allow
                default: bump
                """, "t.yaml");

        assertThat(config.rules()).extracting(r -> r.match().grpcClient(), RuleConfig::isCallRule,
                RuleConfig::autoPassthrough).containsExactly(
                tuple(true, false, true), tuple(false, false, false), tuple(null, true, true),
                tuple(null, true, true), tuple(null, true, true));
        assertThat(config.rules()).extracting(r -> r.match().grpc()).containsExactly(null, null,
                new GrpcMethodPattern("pkg.v1.Store", "Delete*"), new GrpcMethodPattern("*", "Check"),
                new GrpcMethodPattern("pkg.v1.*", "*"));
        assertThat(config.rules()).extracting(RuleConfig::action).containsExactly(
                Action.SPLICE, Action.BUMP, Action.DENY, Action.ALLOW, Action.ALLOW);
        assertThat(config.rules().get(2).match().hosts()).containsExactly("api.corp.example");
    }

    @Test
    void withoutTheKeysARuleIsAConnectionRuleForAnyClientAndMayPassThrough() throws ConfigException {
        RuleConfig rule = ConfigLoader.parse("tls: {}\nrules:\n  - {name: a, action: bump}\n", "t.yaml").rules().get(0);

        assertThat(rule.match().grpcClient()).isNull();
        assertThat(rule.match().grpc()).isNull();
        assertThat(rule.isCallRule()).isFalse();
        assertThat(rule.autoPassthrough()).isTrue();
    }

    @Test
    void aCallRuleMayAlsoMatchOnTheConnectionAndTheClientHello() throws ConfigException {
        RuleConfig rule = ConfigLoader.parse("""
                rules:
                  - name: ci-only
                    match: {clients: [10.20.0.0/16], port: 443, sni: api.example, alpn: h2, grpcClient: true,
                            grpc: {service: pkg.Admin}}
                    action: deny
                """, "t.yaml").rules().get(0);

        assertThat(rule.isCallRule()).isTrue();
        assertThat(rule.match().grpc()).isEqualTo(new GrpcMethodPattern("pkg.Admin", "*"));
        assertThat(rule.match().sni()).containsExactly("api.example");
        assertThat(rule.match().grpcClient()).isTrue();
    }

    @Nested
    class EveryMistakeNamesFileLineAndKey {
        @ParameterizedTest(name = "grpcClient: {0}")
        @ValueSource(strings = {"maybe", "'true'", "1", "[true]"})
        void grpcClientIsTrueOrFalse(String value) {
            assertErrors("rules:\n  - name: a\n    action: splice\n    match: {grpcClient: " + value + "}\n",
                    "expected true or false").containsExactly(tuple("t.yaml", 4, "rules[0].match.grpcClient"));
        }

        @ParameterizedTest(name = "service: {0}")
        @ValueSource(strings = {"pkg/Svc", ".pkg.Svc", "pkg..Svc", "pkg.Svc.", "'pkg Svc'", "''", "pkg.Svc?"})
        void badServiceName(String service) {
            assertErrors("""
                    rules:
                      - name: a
                        action: deny
                        match:
                          grpc:
                            service: %s
                    """.formatted(service), "expected a gRPC service name such as pkg.v1.Service")
                    .containsExactly(tuple("t.yaml", 6, "rules[0].match.grpc.service"));
        }

        @ParameterizedTest(name = "method: {0}")
        @ValueSource(strings = {"Get/Thing", "pkg.Get", "'Get Thing'", "''"})
        void badMethodName(String method) {
            assertErrors("""
                    rules:
                      - name: a
                        action: allow
                        match:
                          grpc: {service: pkg.Svc,
                                 method: %s}
                    """.formatted(method), "expected a gRPC method name such as GetThing")
                    .containsExactly(tuple("t.yaml", 6, "rules[0].match.grpc.method"));
        }

        @ParameterizedTest(name = "action: {0}")
        @ValueSource(strings = {"allow", "deny"})
        void grpcNamesAServiceOrAMethod(String action) {
            // Neither an empty mapping nor a missing value may turn a call rule into a connection rule (or into an
            // "allow is only for grpc:" error about what the operator did write).
            assertErrors("rules:\n  - name: a\n    action: %s\n    match:\n      grpc: {}\n".formatted(action),
                    "name a service, a method or both").containsExactly(tuple("t.yaml", 5, "rules[0].match.grpc"));
            assertErrors("rules:\n  - name: a\n    action: %s\n    match:\n      grpc:\n".formatted(action),
                    "name a service, a method or both").containsExactly(tuple("t.yaml", 5, "rules[0].match.grpc"));
            assertErrors("rules:\n  - name: a\n    action: %s\n    match:\n      grpc: {service: , method: }\n"
                    .formatted(action), "name a service, a method or both")
                    .containsExactly(tuple("t.yaml", 5, "rules[0].match.grpc"));
        }

        @Test
        void grpcIsAMapping() {
            assertErrors("rules:\n  - name: a\n    action: allow\n    match: {grpc: pkg.Svc/Get}\n", "expected a mapping")
                    .containsExactly(tuple("t.yaml", 4, "rules[0].match.grpc"));
        }

        @Test
        void unknownKeyUnderGrpc() {
            assertErrors("rules:\n  - name: a\n    action: deny\n    match:\n      grpc: {service: a.B, methods: Get}\n",
                    "unknown key; expected one of: service, method")
                    .containsExactly(tuple("t.yaml", 5, "rules[0].match.grpc.methods"));
        }

        @Test
        void allowOnlyWithGrpc() {
            assertErrors("rules:\n  - name: a\n    match: {host: a.example}\n    action: allow\n",
                    "allow is only for rules matching grpc: (single gRPC calls)")
                    .containsExactly(tuple("t.yaml", 4, "rules[0].action"));
        }

        @ParameterizedTest(name = "action: {0}")
        @ValueSource(strings = {"splice", "bump"})
        void grpcOnlyWithAllowOrDeny(String action) {
            assertErrors("tls: {}\nrules:\n  - name: a\n    match: {grpc: {service: a.B}}\n    action: %s\n"
                    .formatted(action), "a rule matching grpc: decides single calls; use allow or deny")
                    .containsExactly(tuple("t.yaml", 5, "rules[0].action"));
        }

        @Test
        void allowIsNeverTheDefault() {
            assertErrors("rules:\n  - {name: a, match: {grpc: {service: a.B}}, action: allow}\ndefault: allow\n",
                    "the default must be splice, bump or deny").containsExactly(tuple("t.yaml", 3, "default"));
        }

        @ParameterizedTest(name = "action: {0}")
        @ValueSource(strings = {"splice", "deny"})
        void autoPassthroughOnlyOnBumpRules(String action) {
            assertErrors("rules:\n  - name: a\n    action: %s\n    autoPassthrough: false\n".formatted(action),
                    "applies only to rules with action: bump")
                    .containsExactly(tuple("t.yaml", 4, "rules[0].autoPassthrough"));
            assertErrors("rules:\n  - name: a\n    match: {grpc: {method: Get}}\n    action: allow\n"
                    + "    autoPassthrough: true\n", "applies only to rules with action: bump")
                    .containsExactly(tuple("t.yaml", 5, "rules[0].autoPassthrough"));
        }

        @Test
        void autoPassthroughIsTrueOrFalse() {
            assertErrors("tls: {}\nrules:\n  - {name: a, action: bump, autoPassthrough: sometimes}\n",
                    "expected true or false").containsExactly(tuple("t.yaml", 3, "rules[0].autoPassthrough"));
        }

        @Test
        void allowDestinationsIsForConnectionRules() {
            assertErrors("""
                    rules:
                      - name: a
                        match: {grpc: {service: a.B}}
                        action: deny
                        allowDestinations: [10.0.0.0/8]
                    """, "allowDestinations applies to connection rules only")
                    .containsExactly(tuple("t.yaml", 5, "rules[0].allowDestinations"));
        }

        @Test
        void eachMistakeOfOneRuleIsReported() {
            assertErrors("""
                    rules:
                      - name: a
                        match: {host: a.example}
                        action: allow
                        verifyUpstream: false
                        autoPassthrough: false
                    """, "").containsExactly(tuple("t.yaml", 4, "rules[0].action"),
                    tuple("t.yaml", 5, "rules[0].verifyUpstream"), tuple("t.yaml", 6, "rules[0].autoPassthrough"));
        }
    }
}
