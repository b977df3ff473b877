package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.reload.ConfigReloader;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.ReloadableSluice;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice follows its config file: a rewritten file decides the connections that come after it, connections
 * already open keep the decision they were made with, and a file that does not validate changes nothing but is
 * logged (every error on its own line) and counted.
 */
@Timeout(60)
class ConfigReloadTest {
    /** Splices origin.test, denies everything else. */
    private static final String SPLICE_ORIGIN_ONLY = """
            rules:
              - name: origin-open
                match: {host: %s}
                action: splice
            default: deny
            """.formatted(TestPki.ORIGIN_HOST);
    /** The other way round: denies origin.test, splices everything else. */
    private static final String DENY_ORIGIN_ONLY = """
            rules:
              - name: origin-closed
                match: {host: %s}
                action: deny
            default: splice
            """.formatted(TestPki.ORIGIN_HOST);

    @TempDir
    Path dir;
    private ReloadableSluice sluice;
    private SocketOrigin origin;
    private final ListAppender<ILoggingEvent> reloadLog = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        origin = new SocketOrigin(SocketOrigin::echo);
        sluice = ReloadableSluice.start(dir, SPLICE_ORIGIN_ONLY, null);
        reloadLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ConfigReloader.class);
        logger.setLevel(Level.INFO); // the success line is INFO; tests print WARN and up
        logger.addAppender(reloadLog);
    }

    @AfterEach
    void stop() throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(ConfigReloader.class);
        logger.detachAppender(reloadLog);
        logger.setLevel(null);
        sluice.close();
        origin.close();
    }

    @Test
    void newConnectionsFollowTheRewrittenFileWhileAnOpenTunnelKeepsItsSplice() throws Exception {
        try (RawProxyConnection before = connect(TestPki.ORIGIN_HOST)) {
            assertThat(before.readResponse().status()).isEqualTo(200);
            assertThat(connectStatus("127.0.0.1")).as("denied by default before the reload").isEqualTo(403);

            sluice.rewrite(DENY_ORIGIN_ONLY);
            sluice.awaitReloads(1, "success");

            assertThat(connectStatus(TestPki.ORIGIN_HOST)).as("a new tunnel to origin.test is denied now")
                    .isEqualTo(403);
            assertThat(connectStatus("127.0.0.1")).as("the new default splices").isEqualTo(200);
            assertThat(echoed(before, "spliced before the reload")).isEqualTo("spliced before the reload");
        }
        assertThat(sluice.metric("sluice_config_last_reload_successful")).isEqualTo(1);
        assertThat(sluice.metric("sluice_config_last_reload_success_timestamp_seconds")).isPositive();
        assertThat(sluice.metric("sluice_config_rules")).isEqualTo(1);
        assertThat(messages()).anySatisfy(line -> assertThat(line).contains("config reloaded (file change)")
                .contains("1 rules (were 1)").contains("changed: rules, default"));
    }

    @Test
    void aFileThatDoesNotValidateKeepsThePolicyInForceAndLogsEveryError() throws Exception {
        sluice.rewrite(DENY_ORIGIN_ONLY.replace("action: deny", "action: maybe") + "timeouts: {connect: soon}\n");
        sluice.awaitReloads(1, "failure");

        assertThat(connectStatus(TestPki.ORIGIN_HOST)).as("still spliced by the old rules").isEqualTo(200);
        assertThat(connectStatus("127.0.0.1")).as("still denied by the old default").isEqualTo(403);
        assertThat(sluice.metric("sluice_config_last_reload_successful")).isZero();
        assertThat(sluice.metric("sluice_config_reloads_total", "result", "success")).isZero();
        String file = sluice.file().toString();
        assertThat(messages()).anySatisfy(line -> assertThat(line).startsWith("config reload: " + file + ":")
                        .contains(": rules[0].action: "))
                .anySatisfy(line -> assertThat(line).startsWith("config reload: " + file + ":")
                        .contains(": timeouts.connect: "));

        sluice.rewriteRaw("rules: [\n  - name: broken\n");
        sluice.awaitReloads(2, "failure");
        assertThat(messages()).anySatisfy(line -> assertThat(line).startsWith("config reload: " + file + ":")
                .contains(": (yaml): "));
        assertThat(connectStatus(TestPki.ORIGIN_HOST)).isEqualTo(200);

        sluice.rewrite(DENY_ORIGIN_ONLY);
        sluice.awaitReloads(1, "success");
        assertThat(connectStatus(TestPki.ORIGIN_HOST)).as("a good file is applied after bad ones").isEqualTo(403);
        assertThat(sluice.metric("sluice_config_last_reload_successful")).isEqualTo(1);
        assertThat(sluice.metric("sluice_config_reloads_total", "result", "failure"))
                .as("each bad version failed once: the poller does not retry a file that has not changed")
                .isEqualTo(2);
    }

    @Test
    void aChangeOnlyARestartAppliesIsNamedInAWarningAndTheRestIsApplied() throws Exception {
        sluice.rewrite(DENY_ORIGIN_ONLY + "timeouts: {connect: 7s, drain: 1s}\n");
        sluice.awaitReloads(1, "success");

        assertThat(connectStatus(TestPki.ORIGIN_HOST)).isEqualTo(403);
        assertThat(messages()).anySatisfy(line -> assertThat(line).contains("timeouts.connect")
                .contains("need a restart to take effect"));
    }

    @Test
    void newConnectionsGetTheReloadedConnectionLimitCountingThoseAlreadyOpen() throws Exception {
        try (RawProxyConnection first = connect(TestPki.ORIGIN_HOST)) {
            assertThat(first.readResponse().status()).isEqualTo(200);

            sluice.rewrite(SPLICE_ORIGIN_ONLY + "limits: {maxConnectionsPerClient: 1}\n");
            sluice.awaitReloads(1, "success");

            assertThat(connectStatus(TestPki.ORIGIN_HOST)).as("the open tunnel holds this client's one place")
                    .isEqualTo(503);
            assertThat(echoed(first, "still spliced")).isEqualTo("still spliced");
        }
    }

    @Test
    void addingTheTlsBlockIsRefusedBecauseOnlyARestartCanDoIt() throws Exception {
        Path cert = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        CertificateAuthority.generate(cert, key, false);
        sluice.rewrite(DENY_ORIGIN_ONLY + "tls: {ca: {cert: \"%s\", key: \"%s\"}}\n".formatted(cert, key));
        sluice.awaitReloads(1, "failure");

        assertThat(messages()).contains("config reload: " + sluice.file()
                + ": tls: adding or removing the tls: block needs a restart");
        assertThat(connectStatus(TestPki.ORIGIN_HOST)).as("the old rules still decide").isEqualTo(200);
    }

    @Test
    void postReloadOnTheAdminListenerAnswersHowTheReloadWent() throws Exception {
        sluice.rewrite(DENY_ORIGIN_ONLY);
        // No waiting for the poller: the admin request reloads at once (the poller may reload the same file too).
        HttpResponse<String> applied = postReload(Map.of());
        assertThat(applied.statusCode()).isEqualTo(200);
        assertThat(applied.body()).startsWith("reloaded: 1 rules (were 1), default splice");
        assertThat(connectStatus(TestPki.ORIGIN_HOST)).isEqualTo(403);

        sluice.rewriteRaw("default: sometimes\n");
        HttpResponse<String> refused = postReload(Map.of());
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).startsWith("not reloaded; the configuration in force is kept:\n")
                .contains(sluice.file() + ":1: default: ");

        assertThat(postReload(Map.of("Origin", "http://example.com")).statusCode())
                .as("a browser's cross-origin POST").isEqualTo(403);
        assertThat(connectStatus(TestPki.ORIGIN_HOST)).isEqualTo(403);
    }

    private HttpResponse<String> postReload(Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
                        "http://" + SluiceFixture.hostPort(sluice.adminAddress()) + "/reload"))
                .POST(HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawProxyConnection connect(String host) throws IOException {
        return RawProxyConnection.open(sluice.proxyAddress())
                .send("CONNECT " + host + ":" + origin.port() + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    private int connectStatus(String host) throws IOException {
        try (RawProxyConnection connection = connect(host)) {
            return connection.readResponse().status();
        }
    }

    private static String echoed(RawProxyConnection tunnel, String text) throws IOException {
        tunnel.send(text);
        return new String(tunnel.in().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }

    private java.util.List<String> messages() {
        return reloadLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
