package dev.sluice.e2e;

import static dev.sluice.testing.SluiceFixture.jdkGet;
import static dev.sluice.testing.TestOrigins.take;
import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.SubjectAltName;
import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real clients trusting Sluice's CA reach real HTTPS origins through a bump: they see a leaf from Sluice's CA
 * carrying the origin's names, and the protocol the origin chose, which is the one they would have had directly.
 */
class BumpTest {
    private static SluiceFixture sluice;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().tls().yaml("default: bump").start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @ParameterizedTest(name = "tls.{0}")
    @ValueSource(strings = {"provider: auto", "provider: jdk"})
    void okHttpGetsHttp2AndALeafFromSluicesCaWithEitherProvider(String provider) throws Exception {
        try (SluiceFixture own = SluiceFixture.builder().tls(provider).yaml("default: bump").start();
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("hello over bumped h2").build());

            try (Response response = own.okHttp().newCall(new Request.Builder().url(url("https", origin, "/h2")).build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                assertThat(response.body().string()).isEqualTo("hello over bumped h2");
                X509Certificate leaf = (X509Certificate) response.handshake().peerCertificates().get(0);
                assertThat(leaf.getIssuerX500Principal()).isEqualTo(own.ca().certificate().getSubjectX500Principal());
                assertThat(SubjectAltName.of(leaf)).contains(SubjectAltName.forHost(TestPki.ORIGIN_HOST),
                        SubjectAltName.forHost("localhost"), SubjectAltName.forHost("127.0.0.1"));
            }
            assertThat(take(origin).getHandshakeServerNames()).containsExactly(TestPki.ORIGIN_HOST);
            own.awaitMetric(1, "sluice_bump_handshakes_total", "outcome", "ok");
            own.awaitMetric(1, "sluice_bump_protocols_total", "protocol", "h2");
        }
    }

    @Test
    void okHttpGetsHttp11FromAnOriginThatSpeaksOnlyHttp11() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("hello over bumped h1").build());

            try (Response response = get(sluice.okHttp(), url("https", origin, "/h1"))) {
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
                assertThat(response.body().string()).isEqualTo("hello over bumped h1");
            }
            assertThat(take(origin).getTarget()).isEqualTo("/h1");

            String target = url("https", origin, "/h1");
            AccessLogLine request = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(request.text("method")).isEqualTo("GET");
            assertThat(request.text("action")).isEqualTo("bump");
            assertThat(request.text("protocol")).isEqualTo("http/1.1");
            assertThat(request.text("sni")).isEqualTo(TestPki.ORIGIN_HOST);
            assertThat(request.number("status")).isEqualTo(200);
            sluice.awaitMetric(1, "sluice_http_requests_total", "protocol", "http/1.1", "method", "GET", "status", "200");
        }
    }

    @Test
    void aBumpedHttp11RequestIsHeldToTheSameHeaderLimitAsTheFrontDoor() throws Exception {
        try (SluiceFixture own = SluiceFixture.builder().tls().yaml("default: bump\nlimits: {maxHeaderBytes: 1024}").start();
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            Request huge = new Request.Builder().url(url("https", origin, "/huge")).header("X-Big", "b".repeat(2048)).build();

            try (Response response = own.okHttp().newCall(huge).execute()) {
                assertThat(response.code()).isEqualTo(431);
                assertThat(response.header("Proxy-Status")).contains("http_request_error");
            }
            assertThat(origin.getRequestCount()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP_2", "HTTP_1_1"})
    void aRequestForAnotherHostThanTheBumpedOneGets421AndNeverReachesTheOrigin(Protocol protocol) throws Exception {
        List<Protocol> protocols = protocol == Protocol.HTTP_2 ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
                : List.of(Protocol.HTTP_1_1);
        try (MockWebServer origin = TestOrigins.https(protocols.toArray(Protocol[]::new))) {
            origin.enqueue(new MockResponse.Builder().body("must not be served").build());
            OkHttpClient client = sluice.track(sluice.okHttpBuilder().protocols(protocols).build());
            Request fronted = new Request.Builder().url(url("https", origin, "/fronted"))
                    .header("Host", "elsewhere.test:" + origin.getPort()).build();

            try (Response response = client.newCall(fronted).execute()) {
                assertThat(response.code()).isEqualTo(421);
                assertThat(response.protocol()).isEqualTo(protocol);
            }
            assertThat(origin.getRequestCount()).isZero();
            AccessLogLine line = sluice.awaitAccessLog(l -> ("https://elsewhere.test:" + origin.getPort() + "/fronted")
                    .equals(l.text("target")));
            assertThat(line.number("status")).isEqualTo(421);
            assertThat(line.text("error")).isEqualTo("misdirected_request");
        }
    }

    @Test
    void aClientOfferingOnlyHttp11ToAnHttp2OriginGetsHttp11EndToEnd() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("h1 by choice").build());
            OkHttpClient client = sluice.track(sluice.okHttpBuilder().protocols(List.of(Protocol.HTTP_1_1)).build());

            try (Response response = get(client, url("https", origin, "/only-h1"))) {
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
                assertThat(response.body().string()).isEqualTo("h1 by choice");
            }
            assertThat(take(origin).getVersion()).isEqualTo("HTTP/1.1");
        }
    }

    @Test
    void anIpLiteralTargetWithoutSniIsVerifiedAndStoodInForByItsAddress() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("by address").build());

            try (Response response = get(sluice.okHttp(), "https://127.0.0.1:" + origin.getPort() + "/ip")) {
                assertThat(response.body().string()).isEqualTo("by address");
                X509Certificate leaf = (X509Certificate) response.handshake().peerCertificates().get(0);
                assertThat(leaf.getIssuerX500Principal()).isEqualTo(sluice.ca().certificate().getSubjectX500Principal());
                assertThat(SubjectAltName.of(leaf)).contains(SubjectAltName.forHost("127.0.0.1"));
            }
            assertThat(take(origin).getHandshakeServerNames()).isEmpty();
        }
    }

    @Test
    void jdkHttpClientGetsHttp2ThroughTheBump() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("jdk over h2").build());

            HttpResponse<String> response = jdkHttp2Get(url("https", origin, "/jdk-h2"));

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).isEqualTo("jdk over h2");
            X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(leaf.getIssuerX500Principal()).isEqualTo(sluice.ca().certificate().getSubjectX500Principal());
        }
    }

    @Test
    void jdkHttpClientGetsHttp11FromAnHttp11Origin() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("jdk over h1").build());

            HttpResponse<String> response = jdkHttp2Get(url("https", origin, "/jdk-h1"));

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).isEqualTo("jdk over h1");
        }
    }

    @Test
    void theConnectionLineNamesTheBumpItsProtocolAndSni() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("logged").build());
            OkHttpClient client = sluice.track(sluice.okHttpBuilder().build());
            try (Response response = get(client, url("https", origin, "/logged"))) {
                assertThat(response.body().string()).isEqualTo("logged");
            }
            client.connectionPool().evictAll();

            String target = TestOrigins.authority(origin.getPort());
            AccessLogLine line = sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method"))
                    && target.equals(l.text("target")));
            assertThat(line.text("action")).isEqualTo("bump");
            assertThat(line.text("rule")).isEqualTo("default");
            assertThat(line.number("status")).isEqualTo(200);
            assertThat(line.text("protocol")).isEqualTo("h2");
            assertThat(line.text("sni")).isEqualTo(TestPki.ORIGIN_HOST);
            sluice.awaitMetric(1, "sluice_decisions_total", "action", "bump", "rule", "default");
        }
    }

    @Test
    void aSecondConnectionToTheSameOriginReusesTheLeaf() throws Exception {
        try (SluiceFixture own = SluiceFixture.builder().tls().yaml("default: bump").start();
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            for (int i = 0; i < 2; i++) {
                origin.enqueue(new MockResponse.Builder().body("again").build());
                OkHttpClient fresh = own.okHttp(); // its own pool: a new CONNECT and handshake each time
                try (Response response = get(fresh, url("https", origin, "/again"))) {
                    assertThat(response.body().string()).isEqualTo("again");
                }
            }

            assertThat(own.metrics().value("sluice_leaf_cache_requests_total", "result", "miss")).isEqualTo(1);
            assertThat(own.metrics().value("sluice_leaf_cache_requests_total", "result", "hit")).isEqualTo(1);
            own.awaitMetric(1, "sluice_leaf_cache_size");
            own.awaitMetric(2, "sluice_bump_handshakes_total", "outcome", "ok");
        }
    }

    @Test
    void grpcUnaryCallsCrossTheBump() throws Exception {
        try (GrpcEchoServer origin = GrpcEchoServer.start()) {
            ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(),
                    sluice.ca().certificate());
            try {
                GrpcCalls.unaryEchoes(channel, "hello");
                GrpcCalls.unaryEchoes(channel, "bumped gRPC");
            } finally {
                GrpcChannels.close(channel);
            }
            sluice.awaitMetric(1, "sluice_bump_protocols_total", "protocol", "h2");
        }
    }

    private static Response get(OkHttpClient client, String url) throws Exception {
        return client.newCall(new Request.Builder().url(url).build()).execute();
    }

    /** A GET by the JDK's client, offering HTTP/2. */
    private static HttpResponse<String> jdkHttp2Get(String url) throws Exception {
        HttpClient client = sluice.httpClient().version(HttpClient.Version.HTTP_2).build();
        return client.send(jdkGet(url), HttpResponse.BodyHandlers.ofString());
    }
}
