package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.ConnectionFacts;
import dev.sluice.policy.Decision;
import dev.sluice.policy.Policy;
import dev.sluice.policy.ShadowedRules;
import dev.sluice.policy.TlsFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every YAML file shipped under config/ at the repository root loads without an error or a dead rule, and each does
 * what its comments say, asked through {@link Policy} the way a connection would ask.
 */
class ShippedConfigTest {
    /** Surefire runs in proxy-server/, one level below the repository root. */
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final List<String> GRPC_JAVA = List.of("h2");
    private static final List<String> GRPC_CORE = List.of("grpc-exp", "h2");
    private static final List<String> OKHTTP = List.of("h2", "http/1.1");

    static List<Path> shippedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(CONFIG_DIR)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedFiles")
    void isValidAndEveryRuleCanMatch(Path file) throws ConfigException {
        SluiceConfig config = ConfigLoader.load(file);

        assertThat(ShadowedRules.in(config.rules())).isEmpty();
    }

    @Test
    void theDefaultAndTheExamplesAreThere() throws IOException {
        assertThat(shippedFiles()).map(f -> CONFIG_DIR.relativize(f).toString().replace('\\', '/'))
                .contains("sluice.yaml", "examples/splice-only-denylist.yaml", "examples/auth.yaml",
                        "examples/split-horizon.yaml", "examples/bump.yaml", "examples/bump-except-grpc.yaml",
                        "examples/bump-listed-hosts.yaml", "examples/allowlist.yaml");
    }

    @Test
    void theDefaultListensOnTheDocumentedPortsAndSplices() throws ConfigException {
        SluiceConfig config = ConfigLoader.load(CONFIG_DIR.resolve("sluice.yaml"));

        assertThat(config.listen()).isEqualTo(new HostPort("0.0.0.0", 3128));
        assertThat(config.admin()).isEqualTo(new HostPort("0.0.0.0", 9090));
        assertThat(config.defaultAction()).isEqualTo(Action.SPLICE);
        assertThat(config.access()).isEqualTo(AccessConfig.DEFAULTS);
    }

    @Test
    void theDefaultIsSafeItDecryptsNothing() throws ConfigException {
        SluiceConfig config = ConfigLoader.load(CONFIG_DIR.resolve("sluice.yaml"));
        Policy policy = Policy.from(config);

        assertThat(config.tls().enabled()).isFalse();
        assertThat(config.rules()).extracting(RuleConfig::action).doesNotContain(Action.BUMP);
        assertThat(tls(policy, "api.example.com", GRPC_JAVA)).containsExactly(Action.SPLICE, "default");
        assertThat(tls(policy, "api.example.com", OKHTTP)).containsExactly(Action.SPLICE, "default");
        assertThat(connect(policy, "metadata.google.internal")).containsExactly(Action.DENY, "cloud-metadata");
    }

    @Test
    void bumpExceptGrpcSplicesGrpcByHostAndByClientAndBumpsTheRest() throws ConfigException {
        Policy policy = policy("examples/bump-except-grpc.yaml");

        // A listed gRPC host is spliced at CONNECT, whatever the client offers.
        assertThat(connect(policy, "x.grpc.corp.example")).containsExactly(Action.SPLICE, "grpc-hosts");
        assertThat(tls(policy, "grpc.corp.example", OKHTTP)).containsExactly(Action.SPLICE, "grpc-hosts");
        // Any other host: the ClientHello decides.
        assertThat(tls(policy, "api.example.com", GRPC_JAVA)).containsExactly(Action.SPLICE, "grpc-clients");
        assertThat(tls(policy, "api.example.com", GRPC_CORE)).containsExactly(Action.SPLICE, "grpc-clients");
        assertThat(tls(policy, "api.example.com", OKHTTP)).containsExactly(Action.BUMP, "default");
        assertThat(tls(policy, "api.example.com", List.of())).containsExactly(Action.BUMP, "default");
        assertThat(tls(policy, "x.mtls.corp.example", OKHTTP)).containsExactly(Action.SPLICE, "pinned");
    }

    @Test
    void bumpListedHostsBumpsOnlyThemAndDeniesDeletesOutsideCi() throws ConfigException {
        Policy policy = policy("examples/bump-listed-hosts.yaml");

        assertThat(connect(policy, "api.corp.example")).containsExactly(Action.BUMP, "inspect-apis");
        assertThat(connect(policy, "eu.store.corp.example")).containsExactly(Action.BUMP, "inspect-apis");
        assertThat(connect(policy, "www.example.com")).containsExactly(Action.SPLICE, "default");
        assertThat(call(policy, "10.1.0.1", "corp.store.v1.Store", "DeleteItem"))
                .containsExactly(Action.DENY, "no-deletes");
        assertThat(call(policy, "10.20.0.1", "corp.store.v1.Store", "DeleteItem"))
                .containsExactly(Action.ALLOW, "ci-may-delete");
        assertThat(call(policy, "10.1.0.1", "corp.store.v1.Store", "GetItem")).containsExactly(Action.ALLOW, "default");
        // Call rules see bumped connections only: a client refusing minted leaves must not get itself spliced.
        assertThat(policy.decideTls(facts("10.1.0.1", "api.corp.example"), new TlsFacts(null, GRPC_JAVA)))
                .extracting(Decision::action, Decision::autoPassthrough).containsExactly(Action.BUMP, false);
    }

    @Test
    void bumpBumpsByDefaultAndSplicesGrpcExpAndPinnedHosts() throws ConfigException {
        Policy policy = policy("examples/bump.yaml");

        assertThat(tls(policy, "api.example.com", OKHTTP)).containsExactly(Action.BUMP, "default");
        assertThat(tls(policy, "api.example.com", GRPC_CORE)).containsExactly(Action.SPLICE, "grpc-by-alpn");
        assertThat(connect(policy, "gateway.icloud.apple.com")).containsExactly(Action.SPLICE, "pinned");
        Decision lab = policy.decideTls(facts("10.1.0.1", "lab.corp.example"), new TlsFacts(null, OKHTTP));
        assertThat(lab).extracting(Decision::action, Decision::verifyUpstream, Decision::autoPassthrough)
                .containsExactly(Action.BUMP, false, false);
    }

    @Test
    void spliceOnlyDenylistDecryptsNothingAndDeniesTheList() throws ConfigException {
        SluiceConfig config = ConfigLoader.load(CONFIG_DIR.resolve("examples/splice-only-denylist.yaml"));
        Policy policy = Policy.from(config);

        assertThat(config.tls().enabled()).isFalse();
        assertThat(connect(policy, "x.doubleclick.net")).containsExactly(Action.DENY, "ads");
        assertThat(connect(policy, "api.example.com")).containsExactly(Action.SPLICE, "default");
        assertThat(tls(policy, "api.example.com", GRPC_JAVA)).containsExactly(Action.SPLICE, "default");
    }

    @Test
    void allowlistDeniesWhatItDoesNotList() throws ConfigException {
        Policy policy = policy("examples/allowlist.yaml");

        assertThat(connect(policy, "repo.maven.apache.org")).containsExactly(Action.SPLICE, "package-registries");
        assertThat(connect(policy, "example.com")).containsExactly(Action.DENY, "default");
    }

    private static Policy policy(String file) throws ConfigException {
        return Policy.from(ConfigLoader.load(CONFIG_DIR.resolve(file)));
    }

    /** The CONNECT decision (action, rule) of a client on 10.1.0.1 to {@code host}:443. */
    private static List<Object> connect(Policy policy, String host) {
        Decision decision = policy.decideConnect(facts("10.1.0.1", host));
        return List.of(decision.action(), decision.rule());
    }

    /** The decision once the ClientHello (SNI {@code host}, these ALPN offers) is read. */
    private static List<Object> tls(Policy policy, String host, List<String> alpnOffers) {
        Decision decision = policy.decideTls(facts("10.1.0.1", host), new TlsFacts(host, alpnOffers));
        return List.of(decision.action(), decision.rule());
    }

    /** A grpc-java call from {@code client} on a bumped connection to api.corp.example. */
    private static List<Object> call(Policy policy, String client, String service, String method) {
        Decision decision = policy.decideCall(facts(client, "api.corp.example"),
                new TlsFacts("api.corp.example", GRPC_JAVA), service, method);
        return List.of(decision.action(), decision.rule());
    }

    private static ConnectionFacts facts(String client, String host) {
        return new ConnectionFacts(Cidr.literal(client), host, 443);
    }
}
