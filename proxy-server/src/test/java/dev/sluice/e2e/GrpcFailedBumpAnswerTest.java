package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.PassthroughAdmin;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertPathBuilderException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bump that fails upstream before the client's handshake (the origin refuses the connection, or its certificate
 * fails verification) answers a grpc-java client in gRPC: its handshake completes with a leaf Sluice mints for the
 * name alone, and every call gets {@code UNAVAILABLE} with Sluice's reason, instead of the TLS alert that grpc-java
 * could only report as "io exception". Nothing reaches the origin. Clients that offer {@code http/1.1} (OkHttp) keep
 * the alert; the connection is logged and counted with the bump's failure reason either way.
 */
class GrpcFailedBumpAnswerTest {
    private static final String REFUSED = "sluice: upstream connect refused (connect_refused)";
    private static SluiceFixture sluice;
    private ManagedChannel channel;

    @BeforeAll
    static void startSluice() {
        // Threshold 1: a single refusal of a leaf would be learned, were these connections to teach passthrough.
        sluice = SluiceFixture.builder().tls().yaml("""
                default: bump
                passthrough: {pinned: {threshold: 1}}
                """).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        GrpcChannels.close(channel);
    }

    @Test
    void aRefusedUpstreamAnswersTheCallUnavailableNamingTheReason() throws Exception {
        int port = TestOrigins.closedPort();
        double failedBefore = failures("connect_refused");
        double answeredBefore = unavailable("connect_refused");
        channel = channelTo(port);

        ClientCall<byte[], byte[]> call = channel.newCall(GrpcEchoServer.ECHO, GrpcCalls.options());
        ListenableFuture<byte[]> reply = ClientCalls.futureUnaryCall(call, new byte[] {1});

        assertThatThrownBy(() -> reply.get(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .satisfies(e -> assertUnavailable(Status.fromThrowable(e), REFUSED));
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, TestPki.ORIGIN_HOST));
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(sluice.ca().certificate().getSubjectX500Principal());

        String target = TestOrigins.authority(port);
        AccessLogLine request = sluice.awaitAccessLog(l -> ("https://" + target + "/sluice.test.Echo/Echo")
                .equals(l.text("target")));
        assertThat(request.text("action")).isEqualTo("bump");
        assertThat(request.number("status")).isEqualTo(200);
        assertThat(request.text("error")).isEqualTo("connect_refused");
        assertThat(request.text("grpc_status")).isEqualTo("UNAVAILABLE");
        assertThat(request.text("grpc_message")).isEqualTo(REFUSED);
        AccessLogLine connection = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
        assertThat(connection.text("method")).isEqualTo("CONNECT");
        assertThat(connection.text("action")).isEqualTo("bump");
        assertThat(connection.text("error")).isEqualTo("connect_refused");
        assertThat(connection.text("protocol")).isEqualTo("h2");
        assertThat(connection.number("bytes_up")).isZero();
        sluice.awaitMetric(failedBefore + 1, "sluice_bump_handshakes_total", "outcome", "failed", "reason",
                "connect_refused");
        sluice.awaitMetric(answeredBefore + 1, "sluice_grpc_unavailable_total", "reason", "connect_refused");
    }

    @Test
    void everyCallOnTheChannelGetsTheStatusStreamingOnesToo() throws Exception {
        channel = channelTo(TestOrigins.closedPort());
        ListenableFuture<byte[]> first = ClientCalls.futureUnaryCall(
                channel.newCall(GrpcEchoServer.ECHO, GrpcCalls.options()), new byte[] {1});
        ListenableFuture<byte[]> second = ClientCalls.futureUnaryCall(
                channel.newCall(GrpcEchoServer.ECHO, GrpcCalls.options()), new byte[] {2});
        GrpcCalls.Replies pongs = new GrpcCalls.Replies();
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
        pings.onNext(GrpcEchoServer.intMessage(7));

        for (ListenableFuture<byte[]> reply : List.of(first, second)) {
            assertThatThrownBy(() -> reply.get(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .satisfies(e -> assertUnavailable(Status.fromThrowable(e), REFUSED));
        }
        assertUnavailable(pongs.awaitFailure(), REFUSED);
        assertThat(pongs.waiting()).isZero();

        Iterator<byte[]> counted = ClientCalls.blockingServerStreamingCall(channel, GrpcEchoServer.COUNT,
                GrpcCalls.options(), GrpcEchoServer.intMessage(3));
        assertThatThrownBy(counted::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertUnavailable(e.getStatus(), REFUSED));
    }

    @Test
    void anIpLiteralTheDestinationGuardRefusesIsAnsweredOverALeafForTheAddress() throws Exception {
        String address = "169.254.0.1"; // link-local: refused before any connection is tried
        channel = GrpcChannels.builder(sluice.proxyAddress(), address, 443)
                .sslContext(GrpcSslContexts.forClient().trustManager(sluice.ca().certificate()).build()).build();
        ClientCall<byte[], byte[]> call = channel.newCall(GrpcEchoServer.ECHO, GrpcCalls.options());

        assertThatThrownBy(() -> ClientCalls.futureUnaryCall(call, new byte[1])
                .get(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .satisfies(e -> assertUnavailable(Status.fromThrowable(e),
                        "sluice: upstream address not allowed (destination_denied)"));
        X509Certificate leaf = (X509Certificate) call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)
                .getPeerCertificates()[0];
        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(7, address));
    }

    @Test
    void withJdkTlsTheCallIsAnsweredToo() throws Exception {
        try (SluiceFixture jdk = SluiceFixture.builder().tls("provider: jdk").yaml("default: bump").start()) {
            int port = TestOrigins.closedPort();
            channel = GrpcChannels.throughProxy(jdk.proxyAddress(), port, jdk.ca().certificate());

            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                    new byte[1]))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertUnavailable(e.getStatus(), REFUSED));
            String target = TestOrigins.authority(port);
            assertThat(jdk.awaitAccessLog(l -> target.equals(l.text("target"))).text("error"))
                    .isEqualTo("connect_refused");
        }
    }

    static Stream<Arguments> untrustworthyOrigins() {
        Instant past = Instant.now().minus(Duration.ofDays(30));
        return Stream.of(
                Arguments.of("self-signed", originCertificate().build(), "upstream_untrusted",
                        "sluice: upstream certificate not trusted (upstream_untrusted)"),
                Arguments.of("expired", originCertificate().signedBy(TestPki.get().ca())
                                .validityInterval(past.toEpochMilli(), past.plus(Duration.ofDays(1)).toEpochMilli())
                                .build(), "upstream_expired",
                        "sluice: upstream certificate expired or not yet valid (upstream_expired)"),
                Arguments.of("for another host", new HeldCertificate.Builder().commonName("elsewhere.test")
                                .addSubjectAlternativeName("elsewhere.test").signedBy(TestPki.get().ca()).build(),
                        "upstream_hostname", "sluice: upstream certificate does not name the host (upstream_hostname)"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("untrustworthyOrigins")
    void anOriginFailingVerificationAnswersUnavailableAndNeverSeesARequest(String name, HeldCertificate certificate,
                                                                           String reason, String description)
            throws Exception {
        double before = unavailable(reason);
        try (MockWebServer origin = TestOrigins.https(
                new HandshakeCertificates.Builder().heldCertificate(certificate).build(), Protocol.HTTP_2,
                Protocol.HTTP_1_1)) {
            channel = channelTo(origin.getPort());

            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                    new byte[1]))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertUnavailable(e.getStatus(), description));
            sluice.awaitMetric(before + 1, "sluice_grpc_unavailable_total", "reason", reason);

            assertThat(origin.getRequestCount()).as("requests the origin saw").isZero();
        }
    }

    @Test
    void anOkHttpClientOfferingHttp11StillGetsTheAlert() throws Exception {
        String refused = TestOrigins.authority(TestOrigins.closedPort());
        assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder().url("https://" + refused + "/")
                .build()).execute().close())
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("internal_error");

        try (MockWebServer origin = TestOrigins.https(new HandshakeCertificates.Builder()
                .heldCertificate(originCertificate().build()).build(), Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            assertThatThrownBy(() -> sluice.okHttp().newCall(new Request.Builder()
                    .url(TestOrigins.url("https", origin, "/")).build()).execute().close())
                    .isInstanceOf(SSLException.class)
                    .hasMessageContaining("unknown_ca");
            assertThat(origin.getRequestCount()).isZero();
        }
        AccessLogLine line = sluice.awaitAccessLog(l -> refused.equals(l.text("target")));
        assertThat(line.text("error")).isEqualTo("connect_refused");
        assertThat(line.text("protocol")).isNull();
    }

    @Test
    void aClientRefusingTheAnsweringLeafTeachesPassthroughNothing() throws Exception {
        int port = TestOrigins.closedPort();
        // Trusts the origins' CA only, never Sluice's: it refuses every leaf Sluice mints, as a pinned client would.
        channel = GrpcChannels.throughProxy(sluice.proxyAddress(), port, TestPki.get().caCertificate());

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                new byte[1]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    // It was shown a leaf (not an alert) and found no path to a CA it trusts.
                    assertThat(e.getStatus().getCause()).hasRootCauseInstanceOf(CertPathBuilderException.class);
                });

        String target = TestOrigins.authority(port);
        assertThat(sluice.awaitAccessLog(l -> target.equals(l.text("target"))).text("error"))
                .isEqualTo("connect_refused");
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "pinned")).isZero();
    }

    private static ManagedChannel channelTo(int port) {
        return GrpcChannels.throughProxy(sluice.proxyAddress(), port, sluice.ca().certificate());
    }

    /** Names every way a test reaches the origin, so only the issuer or the dates can be wrong. */
    private static HeldCertificate.Builder originCertificate() {
        return new HeldCertificate.Builder().commonName(TestPki.ORIGIN_HOST)
                .addSubjectAlternativeName(TestPki.ORIGIN_HOST)
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1");
    }

    private static double failures(String reason) {
        return sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
    }

    private static double unavailable(String reason) {
        return sluice.metrics().value("sluice_grpc_unavailable_total", "reason", reason);
    }

    private static void assertUnavailable(Status status, String description) {
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo(description);
    }
}
