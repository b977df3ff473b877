package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.PassthroughAdmin;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that trust only the origin's CA, never Sluice's (as a pinned client would), behind a bump rule: each
 * handshake against a minted leaf is refused. Once a client network has refused a server name's leaf
 * {@code passthrough.pinned.threshold} times, its connections to that name are spliced and work; other networks are
 * still bumped. Clients bind their own loopback source address, so the client network is known.
 */
class PinnedClientPassthroughTest extends GrpcOriginBehindBumpRule {
    private static final String HOME = "127.0.0.1";
    private static final String ELSEWHERE = "127.0.0.2";
    private static final String THRESHOLD_ONE = "passthrough: {pinned: {threshold: 1, ipv4Prefix: 32}}";

    @Override
    GrpcEchoServer startOrigin() {
        return GrpcEchoServer.start();
    }

    @ParameterizedTest(name = "tls.provider: {0}")
    @ValueSource(strings = {"auto", "jdk"})
    void withThresholdOneTheFirstConnectionFailsAndTheNextIsSplicedAndWorks(String provider) throws Exception {
        startSluice("provider: " + provider, "", THRESHOLD_ONE);

        refusedFrom(HOME, 1);

        assertThat(callSeeingPeer(channelFrom(HOME))).isEqualTo(TestPki.get().server().certificate());
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "pinned")).isEqualTo(1);
        assertThat(sluice.metrics().value("sluice_passthrough_spliced_total", "reason", "pinned")).isEqualTo(1);
        AccessLogLine line = sluice.awaitAccessLog(l -> "pinned".equals(l.text("passthrough")));
        assertThat(line.text("action")).isEqualTo("splice");
        assertThat(line.text("rule")).isEqualTo(RULE);
        assertThat(line.text("client")).startsWith(HOME + ":");
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).singleElement().satisfies(entry -> assertThat(entry)
                .containsEntry("kind", "pinned")
                .containsEntry("client", HOME + "/32")
                .containsEntry("sni", TestPki.ORIGIN_HOST)
                .containsEntry("port", (long) origin.port())
                .containsEntry("count", 1L)
                .containsEntry("splicing", true)
                .containsEntry("hits", 1L));
    }

    @ParameterizedTest(name = "tls.provider: {0}")
    @ValueSource(strings = {"auto", "jdk"})
    void byDefaultItTakesTwoRefusals(String provider) throws Exception {
        startSluice("provider: " + provider, "", "");

        refusedFrom(HOME, 1);
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("count", 1L).containsEntry("splicing", false));
        refusedFrom(HOME, 2);

        assertThat(callSeeingPeer(channelFrom(HOME))).isEqualTo(TestPki.get().server().certificate());
    }

    @Test
    void anotherClientNetworkIsStillBumped() throws Exception {
        startSluice("", "", THRESHOLD_ONE);
        refusedFrom(HOME, 1);

        refusedFrom(ELSEWHERE, 2);

        sluice.awaitAccessLog(l -> l.text("client").startsWith(ELSEWHERE + ":")); // written at the close, maybe later
        assertThat(callSeeingPeer(channelFrom(HOME))).isEqualTo(TestPki.get().server().certificate());
        assertThat(callSeeingPeer(channelFrom(ELSEWHERE))).as("learned by its own refusal").isEqualTo(
                TestPki.get().server().certificate());
    }

    @Test
    void aRuleWithAutoPassthroughFalseNeverLearns() throws Exception {
        startSluice("", "autoPassthrough: false", THRESHOLD_ONE);

        refusedFrom(HOME, 1);
        refusedFrom(HOME, 2);

        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "pinned")).isZero();
    }

    @Test
    void withPinnedPassthroughDisabledNothingIsLearned() throws Exception {
        startSluice("", "", "passthrough: {pinned: {enabled: false, threshold: 1}}");

        refusedFrom(HOME, 1);
        refusedFrom(HOME, 2);

        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
    }

    @Test
    void forgettingTheClientMakesItsNextConnectionBumpAgain() throws Exception {
        startSluice("", "", THRESHOLD_ONE);
        refusedFrom(HOME, 1);

        assertThat(PassthroughAdmin.clear(sluice.adminAddress(), TestPki.ORIGIN_HOST)).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("kind", "pinned"));

        refusedFrom(HOME, 2);
        assertThat(callSeeingPeer(channelFrom(HOME))).isEqualTo(TestPki.get().server().certificate());
    }

    @Test
    void aJdkClientThatRefusesTheLeafIsLearnedToo() throws Exception {
        startSluice("", "", THRESHOLD_ONE);
        HandshakeCertificates originCaOnly = TestPki.get().clientCertificates();
        OkHttpClient client = sluice.track(sluice.okHttpBuilder()
                .sslSocketFactory(originCaOnly.sslSocketFactory(), originCaOnly.trustManager()).build());
        try (MockWebServer https = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            https.enqueue(new MockResponse.Builder().body("spliced").build());
            Request request = new Request.Builder().url(TestOrigins.url("https", https, "/")).build();

            assertThatThrownBy(() -> client.newCall(request).execute().close())
                    .isInstanceOf(SSLHandshakeException.class);
            awaitRefusals("client_handshake", 1);

            try (Response response = client.newCall(request).execute()) {
                assertThat(response.body().string()).isEqualTo("spliced");
                assertThat(response.handshake().peerCertificates().get(0))
                        .isEqualTo(TestPki.get().server().certificate());
            }
        }
    }

    @Test
    void aClientThatClosesRightAfterTheServerHelloCounts() throws Exception {
        startSluice("", "", THRESHOLD_ONE);

        try (RawProxyConnection raw = connectAndSendClientHello()) {
            assertThat(raw.in().read()).as("the first byte of Sluice's ServerHello flight").isGreaterThanOrEqualTo(0);
        }

        awaitRefusals("client_closed", 1);
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("splicing", true));
    }

    @Test
    void aClientThatLetsTheHandshakeTimeOutDoesNotCount() throws Exception {
        startSluice("", "", THRESHOLD_ONE + "\ntimeouts: {tlsHandshake: 1s}");

        try (RawProxyConnection raw = connectAndSendClientHello()) {
            while (raw.in().read() >= 0) {
                // whatever Sluice sent, until it gives up and closes
            }
        }

        awaitRefusals("handshake_timeout", 1);
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
    }

    /** A splice is never call-checked: refusing leaves must not switch a deny call rule off for the client. */
    @Test
    void aClientThatADenyingCallRuleAppliesToStaysBumpedHoweverOftenItRefuses() throws Exception {
        startSluiceWithDenyCallRule("{host: origin.test, grpc: {method: Fail}}", THRESHOLD_ONE);

        refusedFrom(HOME, 1);
        refusedFrom(HOME, 2);
        refusedFrom(HOME, 3);

        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "pinned")).isZero();
    }

    @Test
    void aDenyingCallRuleForAnotherHostLeavesPinnedPassthroughAsItWas() throws Exception {
        startSluiceWithDenyCallRule("{host: elsewhere.test, grpc: {method: Fail}}", THRESHOLD_ONE);

        refusedFrom(HOME, 1);

        assertThat(callSeeingPeer(channelFrom(HOME))).isEqualTo(TestPki.get().server().certificate());
    }

    /**
     * The (network, server name) a client without h2-only offers got learned for is not spliced for a grpc-java
     * client, whose offers a {@code grpcClient: true} deny call rule matches.
     */
    @Test
    void whatWasLearnedWhereNoCallRuleAppliedSplicesNothingWhereOneMayDeny() throws Exception {
        startSluiceWithDenyCallRule("{grpcClient: true, grpc: {method: Fail}}", THRESHOLD_ONE);
        HandshakeCertificates originCaOnly = TestPki.get().clientCertificates();
        OkHttpClient browserLike = sluice.track(sluice.okHttpBuilder()
                .sslSocketFactory(originCaOnly.sslSocketFactory(), originCaOnly.trustManager()).build());
        Request request = new Request.Builder().url("https://" + TestOrigins.authority(origin.port()) + "/").build();
        assertThatThrownBy(() -> browserLike.newCall(request).execute().close())
                .isInstanceOf(SSLHandshakeException.class);
        awaitRefusals("client_handshake", 1);
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("splicing", true));

        refusedFrom(HOME, 2);

        assertThat(sluice.metrics().value("sluice_passthrough_spliced_total", "reason", "pinned")).isZero();
    }

    /** One connection from {@code source} whose TLS handshake the client refuses; Sluice counted it as the n-th. */
    private void refusedFrom(String source, int nth) throws Exception {
        ManagedChannel channel = channelFrom(source);
        try {
            assertThatThrownBy(() -> GrpcCalls.unaryEchoes(channel, "refused"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            GrpcChannels.close(channel);
        }
        // The refusal reaches Sluice as an alert on its own connection: wait until it was counted.
        awaitRefusals("client_handshake", nth);
    }

    private void awaitRefusals(String reason, int atLeast) {
        sluice.awaitMetric(atLeast, "sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
    }

    /** A grpc-java channel from {@code source} that trusts the origin's CA only. */
    private ManagedChannel channelFrom(String source) throws Exception {
        return GrpcChannels.builder(sluice.proxyAddress(), origin.port())
                .sslContext(GrpcSslContexts.forClient().trustManager(TestPki.get().caCertificate()).build())
                .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
                    @Override
                    public SocketAddress createSocketAddress(SocketAddress remote, io.grpc.Attributes attributes) {
                        return new InetSocketAddress(source, 0);
                    }
                })
                .build();
    }

    /** A CONNECT answered 200, then a JDK client's ClientHello, and nothing more from the client. */
    private RawProxyConnection connectAndSendClientHello() throws Exception {
        String target = TestOrigins.authority(origin.port());
        RawProxyConnection raw = sluice.raw();
        raw.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
        assertThat(raw.readResponse().status()).isEqualTo(200);
        raw.send(clientHello());
        return raw;
    }

    private static byte[] clientHello() throws Exception {
        SSLEngine engine = TestPki.get().clientCertificates().sslContext().createSSLEngine(TestPki.ORIGIN_HOST, 443);
        engine.setUseClientMode(true);
        SSLParameters h2 = engine.getSSLParameters();
        h2.setApplicationProtocols(new String[] {"h2"});
        engine.setSSLParameters(h2);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Arrays.copyOf(out.array(), out.limit());
    }
}
