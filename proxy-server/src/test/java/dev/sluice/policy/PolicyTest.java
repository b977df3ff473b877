package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {
    private static final Policy POLICY = policy("""
            access:
              clients: [10.0.0.0/8, 192.168.0.0/16, "::1", "fd00::/8"]
              connectPorts: [443, "8443-8444"]
              allowDestinations: [10.9.0.0/16]
            rules:
              - name: admins-anywhere
                match: {clients: [10.1.0.0/16], host: "*.admin.example"}
                action: splice
              - name: no-admin
                match: {host: "*.admin.example"}
                action: deny
              - name: ads
                match: {host: [ads.example.net, "*.tracker.example"]}
                action: deny
              - name: alt-port
                match: {port: 8443-8444}
                action: deny
              - name: numbered
                match: {hostRegex: "cdn[0-9]+\\\\.example\\\\.org"}
                action: deny
              - name: metadata
                match: {host: 169.254.169.254}
                action: splice
                allowDestinations: [169.254.169.254]
              - name: exact-443
                match: {host: exact.example, port: 443}
                action: deny
            default: splice
            """);

    @ParameterizedTest(name = "CONNECT from {0} to {1}:{2} -> {3} by {4}")
    @CsvSource({
            // client           host                         port  action  rule
            "10.0.0.1,          www.example.com,             443,  SPLICE, default",
            "8.8.8.8,           www.example.com,             443,  DENY,   access.clients",
            "::ffff:10.0.0.1,   www.example.com,             443,  SPLICE, default",
            "::1,               www.example.com,             443,  SPLICE, default",
            "::2,               www.example.com,             443,  DENY,   access.clients",
            "10.0.0.1,          www.example.com,             22,   DENY,   access.connectPorts",
            "10.0.0.1,          www.example.com,             8444, DENY,   alt-port",
            "10.1.2.3,          db.admin.example,            443,  SPLICE, admins-anywhere",
            "10.2.2.3,          db.admin.example,            443,  DENY,   no-admin",
            "10.2.2.3,          a.b.admin.example,           443,  DENY,   no-admin",
            "10.2.2.3,          admin.example,               443,  SPLICE, default",
            "10.2.2.3,          xadmin.example,              443,  SPLICE, default",
            "10.0.0.1,          ads.example.net,             443,  DENY,   ads",
            "10.0.0.1,          ADS.Example.NET,             443,  DENY,   ads",
            "10.0.0.1,          ads.example.net.,            443,  DENY,   ads",
            "10.0.0.1,          sub.ads.example.net,         443,  SPLICE, default",
            "10.0.0.1,          x.tracker.example,           443,  DENY,   ads",
            "10.0.0.1,          cdn42.example.org,           443,  DENY,   numbered",
            "10.0.0.1,          CDN42.EXAMPLE.ORG,           443,  DENY,   numbered",
            "10.0.0.1,          cdn42.example.org.evil.com,  443,  SPLICE, default",
            "10.0.0.1,          169.254.169.254,             443,  SPLICE, metadata",
            "10.0.0.1,          exact.example,               443,  DENY,   exact-443",
    })
    void connectDecisions(String client, String host, int port, Action action, String rule) {
        Decision decision = POLICY.decideConnect(new ConnectionFacts(Cidr.literal(client), host, port));

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.rule()).isEqualTo(rule);
        assertThat(decision.reason()).isNotBlank();
    }

    @ParameterizedTest(name = "GET from {0} to http://{1}:{2} -> {3} by {4}")
    @CsvSource({
            "10.0.0.1,  www.example.com,  80,   SPLICE, default",
            "10.0.0.1,  www.example.com,  22,   SPLICE, default",
            "10.0.0.1,  exact.example,    80,   SPLICE, default",
            "10.0.0.1,  ads.example.net,  80,   DENY,   ads",
            "8.8.8.8,   www.example.com,  80,   DENY,   access.clients",
    })
    void forwardDecisionsSkipTheConnectPortAllowlist(String client, String host, int port, Action action, String rule) {
        Decision decision = POLICY.decideForward(new ConnectionFacts(Cidr.literal(client), host, port));

        assertThat(decision.action()).isEqualTo(action);
        assertThat(decision.rule()).isEqualTo(rule);
    }

    @Test
    void clientAllowlist() {
        assertThat(POLICY.clientAllowed(Cidr.literal("192.168.7.7"))).isTrue();
        assertThat(POLICY.clientAllowed(Cidr.literal("::ffff:192.168.7.7"))).isTrue();
        assertThat(POLICY.clientAllowed(Cidr.literal("fd00::9"))).isTrue();
        assertThat(POLICY.clientAllowed(Cidr.literal("172.16.0.1"))).isFalse();
        assertThat(POLICY.clientAllowed(Cidr.literal("127.0.0.1"))).isFalse();
    }

    @Test
    void decisionsCarryTheGlobalAndTheRulesAllowedDestinations() {
        Decision metadata = POLICY.decideConnect(new ConnectionFacts(Cidr.literal("10.0.0.1"), "169.254.169.254", 443));
        Decision byDefault = POLICY.decideConnect(new ConnectionFacts(Cidr.literal("10.0.0.1"), "a.example", 443));
        Decision refused = POLICY.decideConnect(new ConnectionFacts(Cidr.literal("8.8.8.8"), "a.example", 443));

        assertThat(metadata.allowDestinations()).containsExactly(Cidr.parse("10.9.0.0/16"), Cidr.parse("169.254.169.254"));
        assertThat(byDefault.allowDestinations()).containsExactly(Cidr.parse("10.9.0.0/16"));
        assertThat(refused.allowDestinations()).isEmpty();
    }

    @Test
    void theDefaultActionAppliesWhenNoRuleMatches() {
        Policy denyByDefault = policy("""
                rules:
                  - {name: allowed, match: {host: "*.example.com"}, action: splice}
                default: deny
                """);

        Decision other = denyByDefault.decideConnect(new ConnectionFacts(Cidr.literal("127.0.0.1"), "example.org", 443));
        Decision allowed = denyByDefault.decideConnect(new ConnectionFacts(Cidr.literal("127.0.0.1"), "www.example.com", 443));

        assertThat(other).extracting(Decision::action, Decision::rule).containsExactly(Action.DENY, "default");
        assertThat(other.denied()).isTrue();
        assertThat(allowed).extracting(Decision::action, Decision::rule).containsExactly(Action.SPLICE, "allowed");
    }

    @Test
    void theFirstMatchingRuleWins() {
        Policy ordered = policy("""
                rules:
                  - {name: first, match: {port: 443}, action: deny}
                  - {name: second, match: {host: a.example}, action: splice}
                """);

        Decision decision = ordered.decideConnect(new ConnectionFacts(Cidr.literal("127.0.0.1"), "a.example", 443));

        assertThat(decision.rule()).isEqualTo("first");
    }

    /** Found by RuleMatcherFuzzTest: a rule host written as a long or IPv4-mapped literal matched no request. */
    @ParameterizedTest(name = "rule host {0} matches the front door''s {1}")
    @CsvSource({"'0:0:0:0:0:0:0:1', ::1", "'[0:0::1]', ::1", "'::FFFF:127.0.0.1', 127.0.0.1",
            "'FD00:0::0001', fd00::1"})
    void aRuleNamingAnAddressMatchesItHoweverItIsWritten(String written, String host) {
        Policy literal = policy("rules:\n  - {name: literal, match: {host: \"" + written + "\"}, action: deny}\n");

        Decision decision = literal.decideConnect(new ConnectionFacts(Cidr.literal("127.0.0.1"), host, 443));

        assertThat(decision.rule()).isEqualTo("literal");
    }

    private static Policy policy(String yaml) {
        try {
            SluiceConfig config = ConfigLoader.parse(yaml, "policy-test.yaml");
            return Policy.from(config);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
