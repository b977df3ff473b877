package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.authority;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.policy.PasswordHasher;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.ReloadableSluice;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.Certificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that changes what decides (access, auth, rules, default) retires the connections accepted before it: an
 * idle keep-alive front-door connection is closed, so the client's next request comes over a new connection and is
 * decided by the new rules; a bumped HTTP/2 connection hears GOAWAY, its call in flight finishes and the channel's
 * next call, over a new connection, is decided by the new call rules. An open spliced tunnel (one decision, made)
 * keeps relaying, and a reload that changes nothing that decides (limits only) retires nothing.
 */
@Timeout(60)
class ReloadRetiresOpenConnectionsTest {
    private static final String RETIRED = "sluice_config_reload_retired_connections_total";
    private static final String DENY_ORIGIN = """
            rules:
              - name: origin-closed
                match: {host: %s}
                action: deny
            """.formatted(TestPki.ORIGIN_HOST);

    @TempDir
    Path dir;

    @Test
    void anIdleKeepAliveConnectionIsClosedSoItsNextRequestIsDeniedByTheNewRules() throws Exception {
        try (MockWebServer origin = answering(); ReloadableSluice sluice = ReloadableSluice.start(dir, "", null);
             RawProxyConnection keptAlive = RawProxyConnection.open(sluice.proxyAddress())) {
            assertThat(get(keptAlive, origin).status()).as("spliced by default before the reload").isEqualTo(200);

            sluice.rewrite(DENY_ORIGIN);
            assertThat(sluice.reloadNow().applied()).isTrue();

            assertThat(keptAlive.awaitClosedByPeer()).as("closed: it was idle between requests").isTrue();
            try (RawProxyConnection next = RawProxyConnection.open(sluice.proxyAddress())) {
                assertThat(get(next, origin).status()).isEqualTo(403);
            }
            assertThat(sluice.metric(RETIRED)).isEqualTo(1);
            assertThat(sluice.metric("sluice_drain_connections_closed_total", "how", "finished"))
                    .as("a reload is no stop").isZero();
        }
    }

    @Test
    void aUserRemovedFromAuthIsAskedForCredentialsAgainOnItsNextConnection() throws Exception {
        String users = "auth:\n  basic:\n    users: {%s}\n";
        String alice = "alice: \"" + PasswordHasher.hash("secret".toCharArray()).encode() + "\"";
        String bob = "bob: \"" + PasswordHasher.hash("other".toCharArray()).encode() + "\"";
        try (MockWebServer origin = answering();
             ReloadableSluice sluice = ReloadableSluice.start(dir, users.formatted(alice + ", " + bob), null);
             RawProxyConnection keptAlive = RawProxyConnection.open(sluice.proxyAddress())) {
            assertThat(get(keptAlive, origin, "alice:secret").status()).isEqualTo(200);

            sluice.rewrite(users.formatted(bob));
            assertThat(sluice.reloadNow().applied()).isTrue();

            assertThat(keptAlive.awaitClosedByPeer()).isTrue();
            try (RawProxyConnection next = RawProxyConnection.open(sluice.proxyAddress())) {
                assertThat(get(next, origin, "alice:secret").status()).isEqualTo(407);
            }
        }
    }

    @Test
    void aReloadOfLimitsOnlyRetiresNothing() throws Exception {
        String rules = "rules:\n  - {name: by-regex, match: {hostRegex: 'origin\\..*'}, action: splice}\n";
        try (MockWebServer origin = answering(); ReloadableSluice sluice = ReloadableSluice.start(dir, rules, null);
             RawProxyConnection keptAlive = RawProxyConnection.open(sluice.proxyAddress())) {
            assertThat(get(keptAlive, origin).status()).isEqualTo(200);

            sluice.rewrite(rules + "limits: {maxConnectionsPerClient: 50}\n");
            assertThat(sluice.reloadNow().applied()).isTrue();

            assertThat(get(keptAlive, origin).status()).as("the same connection serves on").isEqualTo(200);
            assertThat(sluice.metric(RETIRED)).isZero();
        }
    }

    @Test
    void anOpenSplicedTunnelKeepsRelayingAfterARuleNowDeniesItUntilAStopDrainsIt() throws Exception {
        ReloadableSluice sluice = ReloadableSluice.start(dir, "", null);
        boolean stopped = false;
        try (SocketOrigin origin = new SocketOrigin(SocketOrigin::echo);
             RawProxyConnection tunnel = RawProxyConnection.open(sluice.proxyAddress())) {
            tunnel.send("CONNECT " + authority(origin.port()) + " HTTP/1.1\r\nHost: " + authority(origin.port())
                    + "\r\n\r\n");
            assertThat(tunnel.readResponse().status()).isEqualTo(200);

            sluice.rewrite(DENY_ORIGIN);
            assertThat(sluice.reloadNow().applied()).isTrue();

            tunnel.send("still spliced");
            assertThat(new String(tunnel.in().readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("still spliced");

            stopped = true;
            sluice.close(); // SIGTERM: the drain (timeouts.drain 1s) still ends a connection a reload asked before
            assertThat(tunnel.awaitClosedByPeer()).isTrue();
        } finally {
            if (!stopped) {
                sluice.close();
            }
        }
    }

    @Test
    void aBumpedHttp2ConnectionHearsGoAwayItsCallFinishesAndTheNextCallIsDenied() throws Exception {
        Path caCert = dir.resolve("ca.crt");
        Path caKey = dir.resolve("ca.key");
        Path originCa = dir.resolve("origin-ca.pem");
        Files.writeString(originCa, Certificates.certificatePem(TestPki.get().caCertificate()));
        CertificateAuthority ca = CertificateAuthority.generate(caCert, caKey, false);
        String tls = """
                default: bump
                tls:
                  ca: {cert: "%s", key: "%s"}
                  upstreamTrust: ["%s"]
                """.formatted(caCert, caKey, originCa);
        try (GrpcEchoServer origin = GrpcEchoServer.start();
             ReloadableSluice sluice = ReloadableSluice.start(dir, tls, ca)) {
            ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(), ca.certificate());
            try {
                GrpcCalls.unaryEchoes(channel, "allowed before the reload");
                GrpcCalls.Replies pongs = new GrpcCalls.Replies();
                StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                        channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
                pings.onNext(GrpcEchoServer.intMessage(1));
                assertThat(GrpcEchoServer.intOf(pongs.next())).isEqualTo(1);

                sluice.rewrite("""
                        rules:
                          - name: no-echo
                            match: {grpc: {service: sluice.test.Echo, method: Echo}}
                            action: deny
                        """ + tls);
                assertThat(sluice.reloadNow().applied()).isTrue();

                pings.onNext(GrpcEchoServer.intMessage(2));
                assertThat(GrpcEchoServer.intOf(pongs.next())).as("the call in flight goes on").isEqualTo(2);
                pings.onCompleted();
                pongs.awaitCompleted();

                assertThat(echoStatus(channel)).as("decided over a new connection, by the new rules")
                        .isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(sluice.metric(RETIRED)).isEqualTo(1);
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }

    /**
     * The status of an Echo call. The client may start it before the GOAWAY has reached it, on the old connection
     * still finishing its call, which the old rules decide: such a call is retried until one goes over a new
     * connection.
     */
    private static Status.Code echoStatus(ManagedChannel channel) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        while (true) {
            try {
                ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(), new byte[] {1});
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
            assertThat(System.nanoTime()).as("an Echo call is denied").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static MockWebServer answering() throws IOException {
        MockWebServer origin = TestOrigins.plain();
        origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        return origin;
    }

    private static RawResponse get(RawProxyConnection connection, MockWebServer origin) throws IOException {
        return get(connection, origin, null);
    }

    /** @param credentials {@code user:password} sent as Basic Proxy-Authorization, or null */
    private static RawResponse get(RawProxyConnection connection, MockWebServer origin, String credentials)
            throws IOException {
        String auth = credentials == null ? "" : "Proxy-Authorization: Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)) + "\r\n";
        return connection.send("GET http://" + authority(origin.getPort()) + "/ HTTP/1.1\r\nHost: "
                + authority(origin.getPort()) + "\r\n" + auth + "\r\n").readResponse();
    }
}
