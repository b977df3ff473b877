package dev.sluice.e2e;

import static dev.sluice.testing.SluiceFixture.jdkGet;
import static dev.sluice.testing.TestBodies.chunked;
import static dev.sluice.testing.TestBodies.pattern;
import static dev.sluice.testing.TestOrigins.take;
import static dev.sluice.testing.TestOrigins.authority;
import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain {@code http://} requests in absolute form are forwarded to the origin in origin form. */
class ForwardTest {
    private static SluiceFixture sluice;
    private MockWebServer origin;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @BeforeEach
    void startOrigin() {
        origin = TestOrigins.plain();
    }

    @AfterEach
    void stopOrigin() {
        origin.close();
    }

    @Test
    void getIsForwardedInOriginFormWithHopByHopHeadersRemovedAndViaAdded() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("got it").build());

        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("GET " + url("http", origin, "/hello?x=1") + " HTTP/1.1\r\n"
                    + "Host: " + authority(origin.getPort()) + "\r\n"
                    + "Connection: keep-alive, X-Hop\r\n"
                    + "X-Hop: dropped because Connection names it\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "X-End-To-End: kept\r\n"
                    + "\r\n");
            RawResponse response = raw.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("got it");
        }

        RecordedRequest seen = take(origin);
        assertThat(seen.getTarget()).isEqualTo("/hello?x=1");
        assertThat(seen.getHeaders().get("X-End-To-End")).isEqualTo("kept");
        assertThat(seen.getHeaders().get("Host")).isEqualTo(authority(origin.getPort()));
        assertThat(seen.getHeaders().get("Via")).isNotBlank();
        for (String hopByHop : new String[] {"X-Hop", "Proxy-Connection", "Proxy-Authorization", "Keep-Alive", "TE"}) {
            assertThat(seen.getHeaders().get(hopByHop)).as(hopByHop + " reaching the origin").isNull();
        }
    }

    @Test
    void jdkHttpClientGetsThroughAndTheRequestIsCountedAndLogged() throws Exception {
        origin.enqueue(new MockResponse.Builder().code(201).body("created").build());
        double before = sluice.metrics().value("sluice_http_requests_total", "method", "GET", "status", "201");
        HttpClient client = sluice.httpClient().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> response = client.send(
                jdkGet(url("http", origin, "/jdk")),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("created");
        assertThat(take(origin).getTarget()).isEqualTo("/jdk");
        String target = url("http", origin, "/jdk");
        var line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
        assertThat(line.text("method")).isEqualTo("GET");
        assertThat(line.number("status")).isEqualTo(201);
        assertThat(line.number("bytes_down")).isPositive();
        sluice.awaitMetric(before + 1, "sluice_http_requests_total", "method", "GET", "status", "201");
    }

    @Test
    void postWithAFixedLengthBodyArrivesWhole() throws Exception {
        byte[] body = pattern(256 * 1024, 3);
        origin.enqueue(new MockResponse.Builder().body("stored").build());

        try (Response response = sluice.okHttp().newCall(new Request.Builder().url(url("http", origin, "/upload"))
                .post(RequestBody.create(body, MediaType.get("application/octet-stream"))).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("stored");
        }

        RecordedRequest seen = take(origin);
        assertThat(seen.getMethod()).isEqualTo("POST");
        assertThat(seen.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(body.length));
        assertThat(Arrays.equals(seen.getBody().toByteArray(), body)).as("body intact").isTrue();
    }

    @Test
    void postWithAChunkedBodyIsStreamedChunked() throws Exception {
        byte[] piece = pattern(10_000, 5);
        origin.enqueue(new MockResponse.Builder().body("streamed").build());

        try (Response response = sluice.okHttp().newCall(new Request.Builder().url(url("http", origin, "/chunks"))
                .post(chunked(piece, 20)).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("streamed");
        }

        RecordedRequest seen = take(origin);
        assertThat(seen.getHeaders().get("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(seen.getBodySize()).isEqualTo(20L * piece.length);
        byte[] received = seen.getBody().toByteArray();
        for (int i = 0; i < 20; i++) {
            assertThat(Arrays.equals(Arrays.copyOfRange(received, i * piece.length, (i + 1) * piece.length), piece))
                    .as("piece %d intact", i).isTrue();
        }
    }

    @Test
    void aChunkedResponseReachesTheClientWhole() throws Exception {
        String text = "x".repeat(50_000);
        origin.enqueue(new MockResponse.Builder().chunkedBody(text, 4096).build());

        try (Response response = sluice.okHttp().newCall(new Request.Builder().url(url("http", origin, "/chunked"))
                .build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo(text);
        }
    }

    @Test
    void severalRequestsShareOneClientConnectionAndOneUpstreamConnection() throws Exception {
        for (int i = 0; i < 3; i++) origin.enqueue(new MockResponse.Builder().body("reply " + i).build());

        try (RawProxyConnection raw = sluice.raw()) {
            for (int i = 0; i < 3; i++) {
                raw.send("GET " + url("http", origin, "/keep/" + i) + " HTTP/1.1\r\n"
                        + "Host: " + authority(origin.getPort()) + "\r\n\r\n");
                RawResponse response = raw.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("reply " + i);
            }
        }

        int firstConnection = take(origin).getConnectionIndex();
        assertThat(take(origin).getConnectionIndex()).as("upstream reused").isEqualTo(firstConnection);
        assertThat(take(origin).getConnectionIndex()).as("upstream reused").isEqualTo(firstConnection);
    }

    @Test
    void aHeadResponseHasNoBodyAndTheConnectionGoesOn() throws Exception {
        origin.enqueue(new MockResponse.Builder().setHeader("Content-Length", "1234").build());
        origin.enqueue(new MockResponse.Builder().body("after head").build());
        OkHttpClient client = sluice.okHttp();

        try (Response head = client.newCall(new Request.Builder().url(url("http", origin, "/head")).head().build())
                .execute()) {
            assertThat(head.code()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("1234");
        }
        try (Response next = client.newCall(new Request.Builder().url(url("http", origin, "/next")).build())
                .execute()) {
            assertThat(next.body().string()).isEqualTo("after head");
        }
    }

    @Test
    void anHttp10ClientGetsItsAnswerAndTheConnectionCloses() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("old school").build());

        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("GET " + url("http", origin, "/old") + " HTTP/1.0\r\n\r\n");
            RawResponse response = raw.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("old school");
            assertThat(raw.awaitClosedByPeer()).as("Sluice closes an HTTP/1.0 connection").isTrue();
        }
        assertThat(take(origin).getTarget()).isEqualTo("/old");
    }

    @Test
    void aLargeResponseIsRelayedIntact() throws Exception {
        byte[] body = pattern(4 << 20, 11);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());

        try (Response response = sluice.okHttp().newCall(new Request.Builder().url(url("http", origin, "/large"))
                .build()).execute()) {
            assertThat(Arrays.equals(response.body().bytes(), body)).as("body intact").isTrue();
        }
    }
}
