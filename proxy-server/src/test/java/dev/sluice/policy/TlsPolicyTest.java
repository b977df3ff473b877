package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rules on what only the ClientHello tells: SNI and ALPN offers, decided in two steps. */
class TlsPolicyTest {
    private static final Policy POLICY = policy("""
            rules:
              - name: blocked-name
                match: {sni: "*.blocked.example"}
                action: deny
              - name: grpc-passthrough
                match: {alpn: [grpc-exp]}
                action: splice
              - name: pinned
                match: {host: pinned.example}
                action: splice
              - name: lab
                match: {host: lab.example}
                action: bump
                verifyUpstream: false
            default: bump
            tls: {}
            """);

    @ParameterizedTest(name = "CONNECT {0} -> {1} by {2}, waits for the ClientHello: {3}")
    @CsvSource({
            // host              action  rule               awaits
            "a.corp.example,     DENY,   blocked-name,      true",
            "other.example,      DENY,   blocked-name,      true",
            "pinned.example,     DENY,   blocked-name,      true",
    })
    void aRuleOnTheClientHelloMakesTheConnectDecisionProvisional(String host, Action action, String rule,
                                                                 boolean awaits) {
        Decision decision = connect(host);

        assertThat(decision).extracting(Decision::action, Decision::rule, Decision::awaitsClientHello)
                .containsExactly(action, rule, awaits);
        assertThat(decision.denied()).isFalse();
        assertThat(decision.peeksClientHello()).isTrue();
    }

    @ParameterizedTest(name = "CONNECT {0}, SNI {1}, ALPN {2} -> {3} by {4}")
    @CsvSource({
            // host              sni                   alpn             action  rule
            "x.blocked.example,  x.blocked.example,    h2,              DENY,   blocked-name",
            "x.blocked.example,  X.Blocked.Example.,   h2,              DENY,   blocked-name",
            "a.corp.example,     x.blocked.example,    h2,              DENY,   access.sni",
            "pinned.example,     other.example,        h2 grpc-exp,     DENY,   access.sni",
            "10.0.0.1,           pinned.example,       h2,              DENY,   access.sni",
            "a.corp.example,     a.corp.example,       h2,              BUMP,   default",
            "a.corp.example,     a.corp.example,       h2 grpc-exp,     SPLICE, grpc-passthrough",
            "other.example,      other.example,        http/1.1 h2,     BUMP,   default",
            "other.example,      other.example,        '',              BUMP,   default",
            "pinned.example,     pinned.example,       h2,              SPLICE, pinned",
    })
    void theClientHelloDecides(String host, String sni, String alpn, Action action, String rule) {
        List<String> offers = alpn.isEmpty() ? List.of() : Arrays.asList(alpn.split(" "));

        Decision decision = POLICY.decideTls(facts(host), new TlsFacts(sni, offers));

        assertThat(decision).extracting(Decision::action, Decision::rule, Decision::awaitsClientHello)
                .containsExactly(action, rule, false);
    }

    @Test
    void withoutAServerNameSniRulesMatchTheConnectHost() {
        Policy bySni = policy("""
                rules:
                  - {name: by-sni, match: {sni: blocked.example}, action: deny}
                default: splice
                """);

        assertThat(bySni.decideTls(facts("blocked.example"), TlsFacts.NONE).rule()).isEqualTo("by-sni");
        assertThat(bySni.decideTls(facts("fine.example"), TlsFacts.NONE).rule()).isEqualTo("default");
    }

    @Test
    void aBumpIsDecidedAtConnectButStillReadsTheClientHello() {
        Decision decision = connect("unruled.example");

        assertThat(decision).extracting(Decision::action, Decision::rule, Decision::awaitsClientHello)
                .containsExactly(Action.DENY, "blocked-name", true);
        Decision bump = policy("default: bump\ntls: {}\n").decideConnect(facts("unruled.example"));
        assertThat(bump).extracting(Decision::action, Decision::awaitsClientHello, Decision::verifyUpstream)
                .containsExactly(Action.BUMP, false, true);
        assertThat(bump.peeksClientHello()).isTrue();
    }

    @Test
    void verifyUpstreamFalseHoldsOnlyForItsRule() {
        assertThat(POLICY.decideTls(facts("lab.example"), TlsFacts.NONE).verifyUpstream()).isFalse();
        assertThat(POLICY.decideTls(facts("prod.example"), TlsFacts.NONE).verifyUpstream()).isTrue();
    }

    private static Decision connect(String host) {
        return POLICY.decideConnect(facts(host));
    }

    private static ConnectionFacts facts(String host) {
        return new ConnectionFacts(Cidr.literal("127.0.0.1"), host, 443);
    }

    private static Policy policy(String yaml) {
        try {
            return Policy.from(ConfigLoader.parse(yaml, "tls-policy-test.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
