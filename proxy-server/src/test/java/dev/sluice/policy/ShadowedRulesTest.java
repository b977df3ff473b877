package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which rules an earlier rule makes dead: only what is provably covered, never a false warning. */
class ShadowedRulesTest {
    @ParameterizedTest(name = "{0} shadows {1}")
    @CsvSource(delimiter = '|', value = {
            // earlier match                                      | later match
            "{}                                                   | {host: a.example}",
            "{}                                                   | {}",
            "{host: '*.example.com'}                              | {host: a.example.com}",
            "{host: '*.example.com'}                              | {host: a.b.example.com}",
            "{host: '*.example.com'}                              | {host: '*.example.com'}",
            "{host: '*.example.com'}                              | {host: '*.a.example.com'}",
            "{host: '*.example.com'}                              | {host: [a.example.com, '*.b.example.com']}",
            "{host: [a.example, b.example]}                       | {host: b.example, port: 443}",
            "{host: A.Example.}                                   | {host: a.example}",
            "{hostRegex: 'a[0-9]+\\.example'}                     | {hostRegex: 'a[0-9]+\\.example', port: 443}",
            "{port: [443, '8000-9000']}                           | {port: 8443}",
            "{port: ['1-1000', '1001-65535']}                     | {host: x.example}",
            "{port: ['8000-8100', '8050-8200']}                   | {port: '8090-8150'}",
            "{clients: [10.0.0.0/8]}                              | {clients: [10.20.0.0/16, 10.1.2.3]}",
            "{clients: ['fd00::/8']}                              | {clients: ['fd00:1::/32']}",
            "{clients: [0.0.0.0/0, '::/0']}                       | {host: a.example}",
            "{sni: '*.example'}                                   | {sni: a.example}",
            "{alpn: [h2, http/1.1]}                               | {alpn: [h2]}",
            "{}                                                   | {alpn: [h2]}",
            "{grpcClient: true}                                   | {grpcClient: true, host: a.example}",
            "{}                                                   | {grpcClient: false}",
            "{grpc: {service: '*'}}                               | {grpc: {service: a.B, method: Get}}",
            "{grpc: {service: a.B}}                               | {grpc: {service: a.B, method: 'Get*'}}",
            "{grpc: {service: a.B, method: 'Get*'}}               | {grpc: {service: a.B, method: GetAll}}",
            "{grpc: {method: 'Get*'}}                             | {grpc: {method: 'GetAll*'}}",
            "{grpc: {method: 'Get*All'}}                          | {grpc: {method: GetAll}}",
            "{grpc: {method: '*All'}}                             | {grpc: {method: 'Get*All'}}",
            "{grpc: {service: 'pkg.*.Svc'}}                       | {grpc: {service: pkg.v1.Svc}}",
            "{grpc: {service: a.B, method: 'Get*'}}               | {grpc: {service: A.b, method: getall}}",
            "{grpc: {method: Delete}}                             | {grpc: {method: DELETE}}",
            "{host: '*.example', grpc: {service: a.B}}            | {host: x.example, port: 443, grpc: {service: a.B, method: M}}",
            "{grpcClient: true, grpc: {method: '*'}}              | {grpcClient: true, sni: a.example, grpc: {service: a.B}}",
    })
    void shadows(String earlier, String later) {
        assertThat(shadowed(earlier, later)).singleElement()
                .extracting(s -> s.index(), s -> s.rule().name(), s -> s.by().name())
                .containsExactly(1, "later", "earlier");
    }

    @ParameterizedTest(name = "{0} leaves {1} alive")
    @CsvSource(delimiter = '|', value = {
            // earlier match                                      | later match
            "{host: '*.example.com'}                              | {host: example.com}",
            "{host: '*.example.com'}                              | {host: xexample.com}",
            "{host: '*.example.com'}                              | {host: '*.com'}",
            "{host: a.example.com}                                | {host: '*.example.com'}",
            "{host: '*.example.com'}                              | {}",
            "{host: a.example}                                    | {host: [a.example, b.example]}",
            "{hostRegex: 'a.*'}                                   | {hostRegex: '(a).*'}",
            "{hostRegex: 'a.*'}                                   | {host: a.example}",
            "{host: a.example}                                    | {hostRegex: 'a\\.example'}",
            "{port: 443}                                          | {}",
            "{port: 443}                                          | {port: '443-444'}",
            "{port: ['1-1000', '1002-65535']}                     | {}",
            "{clients: [10.20.0.0/16]}                            | {clients: [10.0.0.0/8]}",
            "{clients: [10.0.0.0/8]}                              | {clients: [10.0.0.0/8, 11.0.0.1]}",
            "{clients: [0.0.0.0/0]}                               | {}",
            "{clients: ['::/0']}                                  | {clients: [10.0.0.0/8]}",
            "{sni: a.example}                                     | {}",
            "{sni: a.example}                                     | {host: a.example}",
            "{alpn: [h2]}                                         | {alpn: [h2, http/1.1]}",
            "{alpn: [h2]}                                         | {}",
            "{alpn: [h2]}                                         | {grpcClient: true}",
            "{grpcClient: true}                                   | {}",
            "{grpcClient: true}                                   | {grpcClient: false}",
            "{grpcClient: false}                                  | {alpn: [http/1.1]}",
            "{}                                                   | {grpc: {service: a.B}}",
            "{grpc: {service: '*'}}                               | {host: a.example}",
            "{grpc: {service: a.B, method: 'Get*'}}               | {grpc: {service: a.B}}",
            "{grpc: {service: a.B}}                               | {grpc: {service: a.C}}",
            "{grpc: {service: a.B}}                               | {grpc: {service: 'a.*'}}",
            "{grpc: {method: 'Get*'}}                             | {grpc: {method: 'G*'}}",
            "{grpc: {method: 'Ab*ba'}}                            | {grpc: {method: Aba}}",
            "{grpc: {method: '*Get*'}}                            | {grpc: {method: GetAll}}",
            "{host: a.example, grpc: {service: a.B}}              | {grpc: {service: a.B}}",
    })
    void doesNotShadow(String earlier, String later) {
        assertThat(shadowed(earlier, later)).isEmpty();
    }

    @Test
    void everyDeadRuleNamesTheFirstRuleThatCoversIt() {
        SluiceConfig config = config("""
                rules:
                  - {name: ads, match: {host: '*.ads.example'}, action: deny}
                  - {name: one-ad, match: {host: x.ads.example}, action: splice}
                  - {name: alive, match: {host: ads.example}, action: deny}
                  - {name: no-calls, match: {grpc: {service: '*'}}, action: deny}
                  - {name: everything, action: splice}
                  - {name: after-all, match: {port: 443}, action: deny}
                  - {name: a-call, match: {grpc: {service: a.B}}, action: allow}
                  - {name: x-ad-again, match: {host: x.ads.example, port: 443}, action: deny}
                """);

        assertThat(ShadowedRules.in(config.rules()))
                .extracting(ShadowedRules.Shadowed::index, s -> s.rule().name(), s -> s.by().name())
                .containsExactly(tuple(1, "one-ad", "ads"), tuple(5, "after-all", "everything"),
                        tuple(6, "a-call", "no-calls"), tuple(7, "x-ad-again", "ads"));
    }

    @Test
    void theWarningNamesFileLineIndexAndBothRules() {
        SluiceConfig config = config("""
                rules:
                  - name: everything
                    action: splice
                  - name: never
                    match: {host: a.example}
                    action: deny
                """);

        assertThat(ShadowedRules.in(config.rules())).singleElement().extracting(s -> s.warning("sluice.yaml"))
                .isEqualTo("sluice.yaml:4: warning: rules[1] 'never' can never match: rule 'everything' (line 2) "
                        + "matches everything it does");
    }

    @Test
    void noRulesNoWarnings() {
        assertThat(ShadowedRules.in(List.of())).isEmpty();
        assertThat(ShadowedRules.in(config("default: deny\n").rules())).isEmpty();
    }

    private static List<ShadowedRules.Shadowed> shadowed(String earlier, String later) {
        List<RuleConfig> rules = config("""
                rules:
                  - {name: earlier, match: %s, action: %s}
                  - {name: later, match: %s, action: %s}
                """.formatted(earlier, action(earlier), later, action(later))).rules();
        return ShadowedRules.in(rules);
    }

    private static String action(String match) {
        return match.contains("grpc:") ? "deny" : "splice";
    }

    private static SluiceConfig config(String yaml) {
        try {
            return ConfigLoader.parse(yaml, "shadow-test.yaml");
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}
