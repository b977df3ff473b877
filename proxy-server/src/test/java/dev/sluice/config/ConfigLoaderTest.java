package dev.sluice.config;

import static dev.sluice.config.ConfigErrors.assertErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Nested
    class Defaults {
        @Test
        void aMinimalFileGetsEveryDefault() throws ConfigException {
            SluiceConfig config = ConfigLoader.parse("default: splice\n", "min.yaml");

            assertThat(config.source()).isEqualTo("min.yaml");
            assertThat(config.listen()).isEqualTo(new HostPort("0.0.0.0", 3128));
            assertThat(config.admin()).isEqualTo(new HostPort("127.0.0.1", 9090));
            assertThat(config.hosts()).isEmpty();
            assertThat(config.access().clients()).map(Cidr::toString).containsExactly(
                    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");
            assertThat(config.access().connectPorts()).containsExactly(new PortRange(443, 443));
            assertThat(config.access().allowDestinations()).isEmpty();
            assertThat(config.auth()).isEqualTo(AuthConfig.NONE);
            assertThat(config.auth().enabled()).isFalse();
            assertThat(config.rules()).isEmpty();
            assertThat(config.defaultAction()).isEqualTo(Action.SPLICE);
            assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
            assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
            assertThat(config.accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
            assertThat(config.tls()).isEqualTo(TlsConfig.DEFAULTS);
        }

        @Test
        void emptySectionsAreTheirDefaults() throws ConfigException {
            SluiceConfig config = ConfigLoader.parse("access:\ntimeouts:\nrules:\n", "t.yaml");

            assertThat(config.access()).isEqualTo(AccessConfig.DEFAULTS);
            assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
            assertThat(config.rules()).isEmpty();
        }

        @Test
        void partialSectionsKeepTheOtherDefaults() throws ConfigException {
            SluiceConfig config = ConfigLoader.parse("""
                    timeouts: {connect: 250ms}
                    limits: {maxIdleUpstreamPerOrigin: 0}
                    accessLog: {path: /var/log/sluice/access.log}
                    """, "t.yaml");

            assertThat(config.timeouts().connect()).isEqualTo(Duration.ofMillis(250));
            assertThat(config.timeouts().idleTunnel()).isEqualTo(TimeoutsConfig.DEFAULTS.idleTunnel());
            assertThat(config.limits()).isEqualTo(new LimitsConfig(8192, 65536, 0, 10_000, 256));
            assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(true, "/var/log/sluice/access.log"));
        }
    }

    @Test
    void readsEveryKey() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("""
                listen: "[::]:3129"
                admin: 0.0.0.0:9191
                hosts:
                  Registry.Internal: 10.0.0.7
                  v6.internal: "fd00::7"
                access:
                  clients: [10.0.0.0/8, "fd00::/8"]
                  connectPorts: [443, "8000-8999"]
                  allowDestinations: 10.0.0.7/32
                auth:
                  basic:
                    realm: corp
                    users:
                      alice: "%s"
                rules:
                  - name: mgmt-plane
                    match: {host: "*.Example.com", port: 443}
                    action: splice
                  - name: blocked
                    match:
                      host: [ads.example.net, "tracker.example.net."]
                      hostRegex: "ad[0-9]+\\\\.example\\\\.org"
                      port: ["80", 8080-8081]
                      clients: [192.168.0.0/16]
                    action: deny
                    allowDestinations: [169.254.169.254]
                default: deny
                timeouts: {connect: 2s, requestHeader: 5s, idleTunnel: 1h, idleClient: 90s, idleUpstream: 30s, tlsHandshake: 3s,
                           drain: 45s}
                limits: {maxRequestLine: 4096, maxHeaderBytes: 32768, maxIdleUpstreamPerOrigin: 4, maxClientConnections: 500,
                         maxConnectionsPerClient: 20,
                         h2: {maxConcurrentStreams: 50, maxHeaderListSize: 32768, maxResetsPerWindow: 100, resetWindow: 1m,
                              maxEmptyDataFrames: 4, maxQueuedControlFrames: 500, maxSmallContinuationFrames: 8,
                              maxControlFramesPerWindow: 2000}}
                accessLog: {enabled: false, path: stdout}
                """.formatted(PasswordHashTest.VALID), "full.yaml");

        assertThat(config.listen()).isEqualTo(new HostPort("::", 3129));
        assertThat(config.admin()).isEqualTo(new HostPort("0.0.0.0", 9191));
        assertThat(config.hosts()).containsOnlyKeys("registry.internal", "v6.internal");
        assertThat(config.hosts().get("registry.internal").getHostAddress()).isEqualTo("10.0.0.7");
        assertThat(config.access().clients()).map(Cidr::toString).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThat(config.access().connectPorts()).containsExactly(new PortRange(443, 443), new PortRange(8000, 8999));
        assertThat(config.access().allowDestinations()).containsExactly(Cidr.parse("10.0.0.7"));
        assertThat(config.auth().realm()).isEqualTo("corp");
        assertThat(config.auth().users()).containsEntry("alice", PasswordHash.parse(PasswordHashTest.VALID));
        assertThat(config.rules()).extracting(RuleConfig::name, RuleConfig::action, RuleConfig::line)
                .containsExactly(tuple("mgmt-plane", Action.SPLICE, 16), tuple("blocked", Action.DENY, 19));
        RuleConfig mgmt = config.rules().get(0);
        assertThat(mgmt.match().hosts()).containsExactly("*.example.com");
        assertThat(mgmt.match().ports()).containsExactly(new PortRange(443, 443));
        RuleConfig blocked = config.rules().get(1);
        assertThat(blocked.match().hosts()).containsExactly("ads.example.net", "tracker.example.net");
        assertThat(blocked.match().hostRegex().matcher("AD12.example.org").matches()).isTrue();
        assertThat(blocked.match().ports()).containsExactly(new PortRange(80, 80), new PortRange(8080, 8081));
        assertThat(blocked.match().clients()).containsExactly(Cidr.parse("192.168.0.0/16"));
        assertThat(blocked.allowDestinations()).containsExactly(Cidr.parse("169.254.169.254/32"));
        assertThat(config.defaultAction()).isEqualTo(Action.DENY);
        assertThat(config.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofHours(1), Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(3),
                Duration.ofSeconds(45)));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(4096, 32768, 4, 500, 20,
                new H2LimitsConfig(50, 32768, 100, Duration.ofMinutes(1), 4, 500, 8, 2000)));
        assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(false, "stdout"));
    }

    @Test
    void readsBumpRules() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("""
                tls: {}
                rules:
                  - name: inspect-api
                    match: {sni: ["api.example.com", "*.api.example.com"], alpn: [h2, grpc-exp]}
                    action: bump
                  - name: lab
                    match: {host: lab.example}
                    action: bump
                    verifyUpstream: false
                default: bump
                """, "t.yaml");

        RuleConfig inspect = config.rules().get(0);
        assertThat(inspect.action()).isEqualTo(Action.BUMP);
        assertThat(inspect.match().sni()).containsExactly("api.example.com", "*.api.example.com");
        assertThat(inspect.match().alpn()).containsExactly("h2", "grpc-exp");
        assertThat(inspect.verifyUpstream()).isTrue();
        assertThat(config.rules().get(1).verifyUpstream()).isFalse();
        assertThat(config.defaultAction()).isEqualTo(Action.BUMP);
    }

    @Test
    void aRuleWithoutMatchMatchesEverything() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("rules:\n  - {name: all, action: deny}\n", "t.yaml");

        assertThat(config.rules().get(0).match()).isEqualTo(MatchConfig.ANY);
    }

    @Test
    void loadsAFileAndNamesItInErrors(@TempDir Path dir) throws IOException, ConfigException {
        Path good = Files.writeString(dir.resolve("good.yaml"), "default: deny\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "default: maybe\n");

        assertThat(ConfigLoader.load(good).source()).isEqualTo(good.toString());
        assertErrors(bad, "").containsExactly(tuple(bad.toString(), 1, "default"));
    }

    @Test
    void aMissingFileIsAnError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing));

        assertThat(e.errors()).singleElement().hasToString(missing + ":0: (file): no such file");
    }

    @Test
    void aFileThatIsNotUtf8IsAnError(@TempDir Path dir) throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), "realm: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertErrors(latin1, "not UTF-8").containsExactly(tuple(latin1.toString(), 0, "(file)"));
    }

    @Nested
    class EveryMistakeNamesFileLineAndKey {
        @Test
        void emptyFile() {
            assertErrors("", "the file is empty").containsExactly(tuple("t.yaml", 1, "(top level)"));
            assertErrors("# only a comment\n", "the file is empty").containsExactly(tuple("t.yaml", 1, "(top level)"));
        }

        @Test
        void notAMapping() {
            assertErrors("- a\n- b\n", "expected a mapping").containsExactly(tuple("t.yaml", 1, "(top level)"));
        }

        @Test
        void yamlSyntax() {
            assertErrors("listen: 0.0.0.0:3128\nrules: [\n", "").containsExactly(tuple("t.yaml", 3, "(yaml)"));
            assertErrors("a: b\n---\nc: d\n", "single document").containsExactly(tuple("t.yaml", 2, "(yaml)"));
        }

        @Test
        void unknownKey() {
            assertErrors("listen: 0.0.0.0:3128\nlisten_port: 3128\n", "unknown key; expected one of: listen, admin")
                    .containsExactly(tuple("t.yaml", 2, "listen_port"));
            assertErrors("timeouts:\n  conect: 1s\n", "expected one of: connect, requestHeader")
                    .containsExactly(tuple("t.yaml", 2, "timeouts.conect"));
            assertErrors("rules:\n  - name: a\n    action: deny\n    match: {hots: x}\n", "unknown key")
                    .containsExactly(tuple("t.yaml", 4, "rules[0].match.hots"));
        }

        @Test
        void duplicateKey() {
            assertErrors("default: deny\nlisten: 0.0.0.0:1\ndefault: splice\n", "duplicate key (first at line 1)")
                    .containsExactly(tuple("t.yaml", 3, "default"));
        }

        @Test
        void duplicateHostIgnoringCase() {
            assertErrors("hosts:\n  a.internal: 10.0.0.1\n  A.Internal: 10.0.0.2\n", "duplicate host (first at line 2)")
                    .containsExactly(tuple("t.yaml", 3, "hosts.A.Internal"));
        }

        @Test
        void wrongType() {
            assertErrors("access:\n  - 10.0.0.0/8\n", "expected a mapping").containsExactly(tuple("t.yaml", 2, "access"));
            assertErrors("limits:\n  maxHeaderBytes: lots\n", "expected a whole number, got 'lots'")
                    .containsExactly(tuple("t.yaml", 2, "limits.maxHeaderBytes"));
            assertErrors("accessLog:\n  enabled: sometimes\n", "expected true or false")
                    .containsExactly(tuple("t.yaml", 2, "accessLog.enabled"));
            assertErrors("rules: {name: a}\n", "expected a list of rules").containsExactly(tuple("t.yaml", 1, "rules"));
            assertErrors("access:\n  clients: {a: b}\n", "expected a list").containsExactly(tuple("t.yaml", 2, "access.clients"));
            assertErrors("listen: [a]\n", "expected a string").containsExactly(tuple("t.yaml", 1, "listen"));
        }

        @Test
        void outOfRangeNumber() {
            assertErrors("limits:\n  maxRequestLine: 10\n", "must be 256-1048576, got 10")
                    .containsExactly(tuple("t.yaml", 2, "limits.maxRequestLine"));
        }

        @Test
        void connectionLimitsOfZeroOrBeyondAMillion() {
            assertErrors("limits:\n  maxClientConnections: 0\n", "must be 1-1000000, got 0")
                    .containsExactly(tuple("t.yaml", 2, "limits.maxClientConnections"));
            assertErrors("limits:\n  maxConnectionsPerClient: 1000001\n", "must be 1-1000000, got 1000001")
                    .containsExactly(tuple("t.yaml", 2, "limits.maxConnectionsPerClient"));
        }

        @Test
        void h2LimitsOutOfRangeOrAResetWindowNotInWholeSeconds() {
            assertErrors("limits:\n  h2:\n    maxConcurrentStreams: 0\n", "must be 1-10000, got 0")
                    .containsExactly(tuple("t.yaml", 3, "limits.h2.maxConcurrentStreams"));
            assertErrors("limits:\n  h2:\n    maxHeaderListSize: 100\n", "must be 1024-1048576, got 100")
                    .containsExactly(tuple("t.yaml", 3, "limits.h2.maxHeaderListSize"));
            assertErrors("limits:\n  h2:\n\n    maxControlFramesPerWindow: 0\n", "must be 1-1000000, got 0")
                    .containsExactly(tuple("t.yaml", 4, "limits.h2.maxControlFramesPerWindow"));
            assertErrors("limits:\n  h2: {resetWindow: 1500ms}\n", "must be whole seconds, 1s-1h, got 1500ms")
                    .containsExactly(tuple("t.yaml", 2, "limits.h2.resetWindow"));
            assertErrors("limits:\n  h2: {maxRstFrames: 5}\n", "")
                    .containsExactly(tuple("t.yaml", 2, "limits.h2.maxRstFrames"));
        }

        @Test
        void badCidr() {
            assertErrors("access:\n  clients:\n    - 10.0.0.0/8\n    - corp.example.com\n    - 10.0.0.0/40\n", "")
                    .containsExactly(tuple("t.yaml", 4, "access.clients[1]"), tuple("t.yaml", 5, "access.clients[2]"));
        }

        @Test
        void badPort() {
            assertErrors("""
                    rules:
                      - name: a
                        action: deny
                        match:
                          port: [443, 70000, "9-1", https]
                    """, "").containsExactly(
                    tuple("t.yaml", 5, "rules[0].match.port[1]"),
                    tuple("t.yaml", 5, "rules[0].match.port[2]"),
                    tuple("t.yaml", 5, "rules[0].match.port[3]"));
            assertErrors("access: {connectPorts: 0}\n", "outside 1-65535").containsExactly(tuple("t.yaml", 1, "access.connectPorts"));
        }

        @Test
        void badDuration() {
            assertErrors("timeouts:\n  connect: 10\n  idleTunnel: 0s\n  idleClient: 5 minutes\n", "").containsExactly(
                    tuple("t.yaml", 2, "timeouts.connect"),
                    tuple("t.yaml", 3, "timeouts.idleTunnel"),
                    tuple("t.yaml", 4, "timeouts.idleClient"));
        }

        @Test
        void badRegex() {
            assertErrors("rules:\n  - name: a\n    action: deny\n    match: {hostRegex: \"(unclosed\"}\n",
                    "not a valid regular expression").containsExactly(tuple("t.yaml", 4, "rules[0].match.hostRegex"));
        }

        @Test
        void badHostPattern() {
            assertErrors("rules:\n  - name: a\n    action: deny\n    match: {host: [ok.example, \"a*.example.com\", \"bad host\"]}\n",
                    "expected a host name").containsExactly(
                    tuple("t.yaml", 4, "rules[0].match.host[1]"), tuple("t.yaml", 4, "rules[0].match.host[2]"));
        }

        @Test
        void badHash() {
            assertErrors("auth:\n  basic:\n    users:\n      alice: secret\n", "expected pbkdf2-sha256$")
                    .containsExactly(tuple("t.yaml", 4, "auth.basic.users.alice"));
        }

        @Test
        void authWithoutUsers() {
            assertErrors("auth:\n  basic:\n    realm: x\n", "is required").containsExactly(tuple("t.yaml", 3, "auth.basic.users"));
            assertErrors("auth:\n  basic:\n    users: {}\n", "at least one user").containsExactly(tuple("t.yaml", 3, "auth.basic.users"));
        }

        @Test
        void badUserNameAndRealm() {
            assertErrors("auth:\n  basic:\n    realm: 'say \"hi\"'\n    users:\n      'a:b': %s\n".formatted(PasswordHashTest.VALID), "")
                    .containsExactly(tuple("t.yaml", 3, "auth.basic.realm"), tuple("t.yaml", 5, "auth.basic.users.a:b"));
        }

        @Test
        void badHostPort() {
            assertErrors("listen: 3128\nadmin: \"::1:9090\"\n", "").containsExactly(
                    tuple("t.yaml", 1, "listen"), tuple("t.yaml", 2, "admin"));
        }

        @Test
        void badHostsEntry() {
            assertErrors("hosts:\n  registry.internal: registry.example.com\n  10.0.0.1: 10.0.0.2\n", "").containsExactly(
                    tuple("t.yaml", 2, "hosts.registry.internal"), tuple("t.yaml", 3, "hosts.10.0.0.1"));
        }

        @Test
        void badAction() {
            assertErrors("default: permit\n", "expected one of: splice, deny, bump, allow; got 'permit'")
                    .containsExactly(tuple("t.yaml", 1, "default"));
        }

        @Test
        void allowIsNotADefault() {
            assertErrors("default: allow\n", "allow is for rules matching grpc:; the default must be splice, bump or deny")
                    .containsExactly(tuple("t.yaml", 1, "default"));
        }

        @Test
        void bumpWithoutATlsBlock() {
            assertErrors("rules:\n  - name: a\n    action: bump\ndefault: bump\n", "action bump needs a tls: block")
                    .containsExactly(tuple("t.yaml", 2, "rules[0].action"), tuple("t.yaml", 4, "default"));
        }

        @Test
        void verifyUpstreamOnlyForBump() {
            assertErrors("rules:\n  - {name: a, action: splice, verifyUpstream: false}\n", "applies only to rules with action: bump")
                    .containsExactly(tuple("t.yaml", 2, "rules[0].verifyUpstream"));
            assertErrors("tls: {}\nrules:\n  - {name: a, action: bump, verifyUpstream: maybe}\n", "expected true or false")
                    .containsExactly(tuple("t.yaml", 3, "rules[0].verifyUpstream"));
        }

        @Test
        void badSniAndAlpn() {
            assertErrors("rules:\n  - name: a\n    action: deny\n    match: {sni: 'no spaces', alpn: [h2, 'h 2']}\n", "expected")
                    .containsExactly(tuple("t.yaml", 4, "rules[0].match.sni"), tuple("t.yaml", 4, "rules[0].match.alpn[1]"));
        }

        @Test
        void unknownTlsProvider() {
            assertErrors("tls: {provider: nss}\n", "expected auto, openssl or jdk").containsExactly(tuple("t.yaml", 1, "tls.provider"));
        }

        @Test
        void missingRuleNameAndAction() {
            assertErrors("rules:\n  - match: {host: a.example}\n", "is required").containsExactly(
                    tuple("t.yaml", 2, "rules[0].name"), tuple("t.yaml", 2, "rules[0].action"));
        }

        @Test
        void duplicateRuleName() {
            assertErrors("rules:\n  - {name: a, action: deny}\n  - {name: b, action: deny}\n  - {name: a, action: splice}\n",
                    "duplicate rule name 'a' (first at line 2)").containsExactly(tuple("t.yaml", 4, "rules[2].name"));
        }

        @Test
        void reservedOrOddRuleName() {
            assertErrors("rules:\n  - {name: default, action: deny}\n  - {name: 'has space', action: deny}\n", "")
                    .containsExactly(tuple("t.yaml", 2, "rules[0].name"), tuple("t.yaml", 3, "rules[1].name"));
        }

        @Test
        void aRuleThatIsNotAMapping() {
            assertErrors("rules:\n  - deny everything\n", "expected a mapping").containsExactly(tuple("t.yaml", 2, "rules[0]"));
        }

        @Test
        void everyMistakeInOneRunInFileOrder() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                    listen: nowhere
                    bogus: 1
                    access:
                      clients: [not-a-cidr]
                    rules:
                      - name: a
                        action: maybe
                    default: splice
                    default: deny
                    """, "many.yaml"));

            assertThat(e.errors()).extracting(ConfigError::line, ConfigError::key).containsExactly(
                    tuple(1, "listen"), tuple(2, "bogus"), tuple(4, "access.clients[0]"), tuple(7, "rules[0].action"),
                    tuple(9, "default"));
            assertThat(e.getMessage()).startsWith("many.yaml:1: listen: expected host:port, got 'nowhere'\n");
        }
    }
}
