package dev.sluice.e2e;

import static dev.sluice.testing.SluiceFixture.jdkGet;
import static dev.sluice.testing.TestBodies.pattern;
import static dev.sluice.testing.TestOrigins.take;
import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real HTTPS clients reach a real HTTPS origin through a CONNECT splice, with the protocol they negotiate. */
class ConnectTunnelTest {
    private static SluiceFixture sluice;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @Test
    void jdkHttpClientSpeaksHttp2ThroughTheTunnel() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("hello over h2").build());
            HttpClient client = sluice.httpClient().version(HttpClient.Version.HTTP_2).build();

            HttpResponse<String> response = client.send(
                    jdkGet(url("https", origin, "/h2")),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.body()).isEqualTo("hello over h2");
            RecordedRequest seen = take(origin);
            assertThat(seen.getTarget()).isEqualTo("/h2");
            assertThat(seen.getHandshakeServerNames()).containsExactly(TestPki.ORIGIN_HOST);
        }
    }

    @Test
    void jdkHttpClientSpeaksHttp11ThroughTheTunnel() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("hello over h1").build());
            HttpClient client = sluice.httpClient().version(HttpClient.Version.HTTP_1_1).build();

            HttpResponse<String> response = client.send(
                    jdkGet(url("https", origin, "/h1")),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(response.body()).isEqualTo("hello over h1");
            assertThat(take(origin).getTarget()).isEqualTo("/h1");
        }
    }

    @Test
    void okHttpSpeaksHttp2ThroughTheTunnel() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("ok h2").build());
            OkHttpClient client = sluice.okHttp();

            try (Response response = client.newCall(new Request.Builder().url(url("https", origin, "/ok")).build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                assertThat(response.body().string()).isEqualTo("ok h2");
            }
            assertThat(take(origin).getHandshakeServerNames()).containsExactly(TestPki.ORIGIN_HOST);
        }
    }

    @Test
    void okHttpSpeaksHttp11ThroughTheTunnel() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("ok h1").build());
            OkHttpClient client = sluice.okHttp();

            try (Response response = client.newCall(new Request.Builder().url(url("https", origin, "/ok")).build())
                    .execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
                assertThat(response.body().string()).isEqualTo("ok h1");
            }
        }
    }

    @Test
    void manyMegabytesCrossTheTunnelBothWaysIntact() throws Exception {
        byte[] upload = pattern(8 << 20, 7);
        byte[] download = pattern(8 << 20, 13);
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.setBodyLimit(Long.MAX_VALUE);
            origin.enqueue(new MockResponse.Builder().body(new Buffer().write(download)).build());
            OkHttpClient client = sluice.okHttp();

            try (Response response = client.newCall(new Request.Builder().url(url("https", origin, "/big"))
                    .post(RequestBody.create(upload, MediaType.get("application/octet-stream"))).build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(Arrays.equals(response.body().bytes(), download)).as("download intact").isTrue();
            }
            assertThat(Arrays.equals(take(origin).getBody().toByteArray(), upload)).as("upload intact").isTrue();
        }
        sluice.awaitMetric(8 << 20, "sluice_bytes_total", "direction", "downstream");
        sluice.awaitMetric(8 << 20, "sluice_bytes_total", "direction", "upstream");
    }

    @Test
    void aSplicedTunnelIsCountedAndLoggedWhenItCloses() throws Exception {
        double splicesBefore = sluice.metrics().value("sluice_decisions_total", "action", "splice");
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body("logged").build());
            OkHttpClient client = sluice.okHttpBuilder().build();
            try (Response response = client.newCall(new Request.Builder().url(url("https", origin, "/log")).build())
                    .execute()) {
                assertThat(response.body().string()).isEqualTo("logged");
            } finally {
                client.connectionPool().evictAll(); // closes the tunnel, which writes its access-log line
                client.dispatcher().executorService().shutdown();
            }

            String target = TestOrigins.authority(origin.getPort());
            var line = sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method")) && target.equals(l.text("target")));
            assertThat(line.text("action")).isEqualTo("splice");
            assertThat(line.number("status")).isEqualTo(200);
            assertThat(line.number("bytes_up")).isPositive();
            assertThat(line.number("bytes_down")).isPositive();
            assertThat(line.text("client")).startsWith("127.0.0.1");
        }
        sluice.awaitMetric(splicesBefore + 1, "sluice_decisions_total", "action", "splice");
    }
}
