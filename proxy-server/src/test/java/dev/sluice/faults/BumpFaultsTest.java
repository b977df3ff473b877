package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.ResourceBaseline;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Faults inside a bump, with HTTP/2 ({@code http2.H2Bridge}) and HTTP/1.1 ({@code http1.BumpedHttp1Relay}) between
 * the client and the origin. Before the client's handshake (the origin refuses, cannot be resolved, answers
 * something that is not TLS, closes during TLS) an HTTP client gets a TLS alert and a gRPC client {@code UNAVAILABLE}
 * with Sluice's reason (refusal itself: {@code e2e.GrpcFailedBumpAnswerTest}, {@code e2e.BumpBadFirstFlightTest});
 * after it, a failing origin is passed on as a reset stream (HTTP/2) or a cut connection (HTTP/1.1), never as a
 * complete response (gRPC calls cut mid-stream: {@code e2e.GrpcUpstreamFailureTest}). Every fault leaves no
 * descriptor or direct memory behind, is logged and counted, and Sluice goes on bumping.
 */
@Isolated("counts the JVM's open file descriptors")
class BumpFaultsTest {
    private static final int BODY = 4 << 20;
    private static SluiceFixture sluice;
    /**
     * Makes one failing call before any baseline and stays open: it holds grpc-java's shared event loops (and their
     * descriptors) for the whole class, which grpc-java would otherwise open with the first test's channel and close
     * seconds after it, long after that test asserted its baseline.
     */
    private static ManagedChannel grpcLoopsKeeper;
    private FaultyOrigin faulty;
    private MockWebServer origin;
    private ManagedChannel channel;
    private ResourceBaseline baseline;

    @BeforeAll
    static void startSluice() throws Exception {
        sluice = SluiceFixture.builder().tls().yaml("default: bump\n" + Faults.SHORT_TIMEOUTS).start();
        grpcLoopsKeeper = GrpcChannels.throughProxy(sluice.proxyAddress(), TestOrigins.closedPort(),
                sluice.ca().certificate());
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(grpcLoopsKeeper, GrpcEchoServer.ECHO,
                GrpcCalls.options(), new byte[] {1})).isInstanceOf(StatusRuntimeException.class);
        // Likewise what the first bump by OkHttp opens for good (classes, TLS providers) is opened before a baseline.
        assertStillBumps();
    }

    @AfterAll
    static void stopSluice() throws InterruptedException {
        GrpcChannels.close(grpcLoopsKeeper);
        sluice.close();
    }

    @BeforeEach
    void recordBaseline() {
        baseline = ResourceBaseline.record();
    }

    @AfterEach
    void stopOrigins() throws Exception {
        closeOrigins();
    }

    @Test
    void aRefusingOriginLeavesNothingBehind() throws Exception {
        String target = TestOrigins.authority(TestOrigins.closedPort());

        assertHandshakeFails(target, "internal_error");

        assertBumpFailed(target, "connect_refused");
        assertRecovered();
    }

    @Test
    void anUnresolvableNameFailsAGrpcCallUnavailable() throws Exception {
        // An HTTP client gets the same internal_error alert as for a refusing origin; one lookup keeps this quick,
        // since the resolver's other query (AAAA) may hold its socket until the DNS query timeout.
        channel = GrpcChannels.builder(sluice.proxyAddress(), "nowhere.invalid", 443)
                .sslContext(GrpcSslContexts.forClient().trustManager(sluice.ca().certificate()).build()).build();

        assertUnavailable("dns_failure");
        assertBumpFailed("nowhere.invalid:443", "dns_failure");
        assertRecovered();
    }

    /** An origin that is no TLS server (it answers garbage, or closes once the ClientHello arrived), and the reason. */
    static Stream<Arguments> tlsFailures() {
        return Stream.of(
                Arguments.of("answers something other than TLS", (FaultyOrigin.Factory) FaultyOrigin::garbage,
                        "upstream_handshake"),
                Arguments.of("closes during the TLS handshake", (FaultyOrigin.Factory) FaultyOrigin::closeOnFirstBytes,
                        "upstream_closed"));
    }

    @ParameterizedTest(name = "an origin that {0} -> {2}")
    @MethodSource("tlsFailures")
    void anOriginFailingTheTlsHandshakeFailsTheBumpWithAnAlertAndGrpcWithUnavailable(
            String fault, FaultyOrigin.Factory faultyOrigin, String reason) throws Exception {
        faulty = faultyOrigin.start();
        String target = TestOrigins.authority(faulty.port());

        assertHandshakeFails(target, "handshake_failure");
        assertBumpFailed(target, reason);

        channel = GrpcChannels.throughProxy(sluice.proxyAddress(), faulty.port(), sluice.ca().certificate());
        assertUnavailable(reason);
        assertRecovered();
    }

    /** Origin protocols, what the origin does mid-body, the protocol the client gets, the error logged. */
    static Stream<Arguments> midBodyFailures() {
        return Stream.of(
                Arguments.of(Protocol.HTTP_2, new SocketEffect.CloseSocket(true, false, false), "upstream_closed"),
                Arguments.of(Protocol.HTTP_2, new SocketEffect.CloseStream(2 /* INTERNAL_ERROR */), "upstream_reset"),
                Arguments.of(Protocol.HTTP_1_1, new SocketEffect.CloseSocket(true, false, false), "upstream_closed"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("midBodyFailures")
    void anOriginFailingMidBodyFailsTheClientsResponseInsteadOfEndingIt(Protocol protocol, SocketEffect effect,
                                                                       String error) throws Exception {
        origin = protocol == Protocol.HTTP_2
                ? TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1) : TestOrigins.https(Protocol.HTTP_1_1);
        origin.enqueue(bigResponse().onResponseBody(effect).build());
        double before = Faults.errors(sluice, error);

        assertBodyCutShort(protocol);
        assertRequestLogged(error);
        assertCountedOnce(error, before);
        assertRecovered();
    }

    @Test
    void anHttp2OriginStallingMidBodyIsLeftToTheClientsTimeoutWhoseResetReachesIt() throws Exception {
        origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1);
        origin.enqueue(bigResponse().onResponseBody(SocketEffect.Stall.INSTANCE).build());

        assertBodyCutShort(Protocol.HTTP_2);
        assertRequestLogged("client_reset", "client_closed");
        assertRecovered();
    }

    @Test
    void anHttp11OriginStallingMidBodyIsCutOffByTheUpstreamIdleTimeout() throws Exception {
        origin = TestOrigins.https(Protocol.HTTP_1_1);
        origin.enqueue(bigResponse().onResponseBody(SocketEffect.Stall.INSTANCE).build());
        double before = Faults.errors(sluice, "upstream_timeout");

        assertBodyCutShort(Protocol.HTTP_1_1, Duration.ofSeconds(20));
        assertRequestLogged("upstream_timeout");
        assertCountedOnce("upstream_timeout", before);
        assertRecovered();
    }

    @Test
    void aClientVanishingMidHttp2DownloadClosesTheOriginConnection() throws Exception {
        origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1);
        origin.enqueue(bigResponse().build());
        List<Socket> sockets = new CopyOnWriteArrayList<>();
        OkHttpClient client = sluice.track(sluice.okHttpBuilder().socketFactory(new SocketFactory() {
            @Override
            public Socket createSocket() {
                Socket socket = new Socket();
                sockets.add(socket);
                return socket;
            }

            @Override
            public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) {
                throw new UnsupportedOperationException();
            }
        }).build());

        Response response = client.newCall(new Request.Builder().url(TestOrigins.url("https", origin, "/cut")).build())
                .execute();
        assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
        response.body().byteStream().readNBytes(100_000);
        for (Socket socket : sockets) {
            socket.setSoLinger(true, 0); // a crash: reset, no GOAWAY
            socket.close();
        }
        response.close();
        client.connectionPool().evictAll();

        assertRequestLogged("client_reset", "client_closed");
        sluice.awaitMetricAtMost(0, "sluice_connections_active", "kind", "bump");
        assertRecovered();
    }

    private static MockResponse.Builder bigResponse() {
        return new MockResponse.Builder().body(new Buffer().write(new byte[BODY]));
    }

    /** The client reads a head, then fails before the body is whole: never a short body passed off as complete. */
    private void assertBodyCutShort(Protocol protocol) throws Exception {
        assertBodyCutShort(protocol, Duration.ofSeconds(2));
    }

    private void assertBodyCutShort(Protocol protocol, Duration readTimeout) throws Exception {
        OkHttpClient client = sluice.track(sluice.okHttpBuilder().readTimeout(readTimeout).build());
        long read = 0;
        try (Response response = client.newCall(new Request.Builder()
                .url(TestOrigins.url("https", origin, "/cut")).build()).execute()) {
            assertThat(response.protocol()).isEqualTo(protocol);
            assertThat(response.code()).isEqualTo(200);
            InputStream body = response.body().byteStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                read += n;
            }
            throw new AssertionError("the body ended normally after " + read + " of " + BODY + " bytes");
        } catch (IOException expected) {
            assertThat(read).isLessThan(BODY);
        } finally {
            client.connectionPool().evictAll();
        }
    }

    private static void assertHandshakeFails(String target, String alert) {
        OkHttpClient client = sluice.okHttp();
        assertThatThrownBy(() -> client.newCall(new Request.Builder().url("https://" + target + "/").build())
                .execute().close())
                .isInstanceOf(SSLException.class)
                .hasMessageContaining(alert);
    }

    /** The CONNECT's line names the failure, and the bump failure is counted. */
    private static void assertBumpFailed(String target, String reason) {
        assertThat(sluice.awaitAccessLog(line -> target.equals(line.text("target"))).text("error")).isEqualTo(reason);
        sluice.awaitMetric(1, "sluice_bump_handshakes_total", "outcome", "failed", "reason", reason);
    }

    private void assertUnavailable(String reason) {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(),
                new byte[] {1}))
                .satisfies(e -> {
                    Status status = Status.fromThrowable(e);
                    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(status.getDescription()).contains("(" + reason + ")");
                });
        sluice.awaitMetric(1, "sluice_grpc_unavailable_total", "reason", reason);
    }

    /** The request's line names the error (one of {@code errors}, when the client may do either) and it is counted. */
    private void assertRequestLogged(String... errors) {
        String target = TestOrigins.url("https", origin, "/cut");
        String error = sluice.awaitAccessLog(line -> target.equals(line.text("target"))).text("error");
        assertThat(error).isIn((Object[]) errors);
        sluice.awaitMetric(1, "sluice_errors_total", "reason", error);
    }

    /**
     * Once the connection's line is logged too (an HTTP/1.1 one names the failure that ended it), the failure was
     * counted once.
     */
    private void assertCountedOnce(String error, double before) {
        String connection = TestOrigins.authority(origin.getPort());
        sluice.awaitAccessLog(line -> connection.equals(line.text("target")));
        assertThat(Faults.errors(sluice, error)).isEqualTo(before + 1);
    }

    private void closeOrigins() throws Exception {
        GrpcChannels.close(channel);
        channel = null;
        if (faulty != null) faulty.close();
        faulty = null;
        if (origin != null) origin.close();
        origin = null;
    }

    /** Nothing left behind, and the next client is bumped and served. */
    private void assertRecovered() throws Exception {
        closeOrigins();
        baseline.assertReturned();
        assertStillBumps();
    }

    private static void assertStillBumps() throws Exception {
        try (MockWebServer healthy = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            healthy.enqueue(new MockResponse.Builder().body("still bumping").build());
            OkHttpClient client = sluice.okHttp();
            try (Response response = client.newCall(new Request.Builder()
                    .url(TestOrigins.url("https", healthy, "/")).build()).execute()) {
                assertThat(response.body().string()).isEqualTo("still bumping");
            }
            client.connectionPool().evictAll();
        }
    }
}
