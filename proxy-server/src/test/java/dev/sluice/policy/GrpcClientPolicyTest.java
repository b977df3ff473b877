package dev.sluice.policy;

import static dev.sluice.policy.GrpcClientFingerprintTest.alpn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code grpcClient: true/false} decides on the ClientHello's ALPN offers, the way typical clients send them. */
class GrpcClientPolicyTest {
    private static final Policy POLICY = policy("""
            tls: {}
            rules:
              - name: grpc-raw
                match: {grpcClient: true}
                action: splice
              - name: lab-browsers
                match: {grpcClient: false, host: lab.example}
                action: deny
            default: bump
            """);

    @ParameterizedTest(name = "{0} [{1}] to {2} -> {3} by {4}")
    @CsvSource({
            // client            ALPN offers        host            action  rule
            "grpc-java,          h2,                api.example,    SPLICE, grpc-raw",
            "grpc-go,            h2,                api.example,    SPLICE, grpc-raw",
            "grpc-core,          grpc-exp h2,       api.example,    SPLICE, grpc-raw",
            "OkHttp,             h2 http/1.1,       api.example,    BUMP,   default",
            "browser,            h2 http/1.1,       api.example,    BUMP,   default",
            "curl,               h2 http/1.1,       api.example,    BUMP,   default",
            "no ALPN,            '',                api.example,    BUMP,   default",
            "grpc-java,          h2,                lab.example,    SPLICE, grpc-raw",
            "OkHttp,             h2 http/1.1,       lab.example,    DENY,   lab-browsers",
            "no ALPN,            '',                lab.example,    DENY,   lab-browsers",
    })
    void theClientHelloDecides(String client, String offers, String host, Action action, String rule) {
        Decision decision = POLICY.decideTls(facts(host), new TlsFacts(host, alpn(offers)));

        assertThat(decision).as(client).extracting(Decision::action, Decision::rule, Decision::awaitsClientHello)
                .containsExactly(action, rule, false);
    }

    @Test
    void aGrpcClientRuleMakesTheConnectDecisionWaitForTheClientHello() {
        Decision decision = POLICY.decideConnect(facts("api.example"));

        assertThat(decision).extracting(Decision::rule, Decision::awaitsClientHello).containsExactly("grpc-raw", true);
        assertThat(decision.peeksClientHello()).isTrue();
    }

    @Test
    void aClientHelloThatCouldNotBeReadIsNotAGrpcClient() {
        assertThat(POLICY.decideTls(facts("api.example"), TlsFacts.NONE).rule()).isEqualTo("default");
        assertThat(POLICY.decideTls(facts("lab.example"), TlsFacts.NONE).rule()).isEqualTo("lab-browsers");
    }

    static ConnectionFacts facts(String host) {
        return new ConnectionFacts(Cidr.literal("127.0.0.1"), host, 443);
    }

    static Policy policy(String yaml) {
        try {
            return Policy.from(ConfigLoader.parse(yaml, "policy-test.yaml"));
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
