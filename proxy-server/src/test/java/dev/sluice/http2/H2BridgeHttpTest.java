package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OkHttp → the bridge → MockWebServer, cleartext prior-knowledge h2 on both legs. */
class H2BridgeHttpTest {
    private static final int MIB = 1 << 20;

    private final MockWebServer origin = new MockWebServer();
    private BridgeHarness bridge;
    private OkHttpClient client;

    @BeforeEach
    void start() throws Exception {
        origin.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        origin.start(InetAddress.getLoopbackAddress(), 0);
        bridge = BridgeHarness.cleartext(origin.getPort());
        client = bridge.okHttp();
    }

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @Test
    void requestAndResponseBodiesOfSeveralMebibytesArriveIntact() throws Exception {
        ByteString upload = random(8 * MIB, 1);
        ByteString download = random(6 * MIB, 2);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(download)).build());

        try (Response response = client.newCall(new Request.Builder().url(bridge.url("/upload"))
                .post(RequestBody.create(upload, MediaType.get("application/octet-stream"))).build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(response.body().byteString()).isEqualTo(download);
        }

        RecordedRequest recorded = origin.takeRequest(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(recorded.getBody()).isEqualTo(upload);
        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.method()).isEqualTo("POST");
        assertThat(exchange.path()).isEqualTo("/upload");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.bytesUp()).isEqualTo(upload.size());
        assertThat(exchange.bytesDown()).isEqualTo(download.size());
    }

    @Test
    void manyConcurrentStreamsAreMultiplexedOnOneBridgedConnection() throws Exception {
        for (int i = 0; i < 51; i++) {
            origin.enqueue(new MockResponse.Builder().body("reply").build());
        }
        get("/warm-up").close();
        ExecutorService callers = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> bodies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                bodies.add(callers.submit(() -> {
                    try (Response response = get("/concurrent")) {
                        return response.body().string();
                    }
                }));
            }
            for (Future<String> body : bodies) {
                assertThat(body.get(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("reply");
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(bridge.onlyObserver().awaitExchanges(51))
                .allSatisfy(exchange -> assertThat(exchange.error()).isNull());
    }

    @Test
    void aStreamTheClientDoesNotReadStallsAloneAndHoldsOnlyItsWindows() throws Exception {
        ByteString big = random(64 * MIB, 3);
        origin.enqueue(new MockResponse.Builder().body(new Buffer().write(big)).build());
        origin.enqueue(new MockResponse.Builder().body("quick").build());

        try (Response stalled = get("/big")) {
            try (Response quick = get("/quick")) {
                assertThat(quick.body().string()).isEqualTo("quick");
            }
            // OkHttp buffers up to its 16 MiB stream window; Sluice up to a stream window on each leg.
            assertThat(bridge.onlyObserver().bytesDown.get()).isLessThan(16 * MIB + 4 * H2Codecs.STREAM_WINDOW);

            try (InputStream body = stalled.body().byteStream()) {
                assertThat(ByteString.read(body, big.size())).isEqualTo(big);
            }
        }
    }

    private Response get(String path) throws Exception {
        return client.newCall(new Request.Builder().url(bridge.url(path)).build()).execute();
    }

    private static ByteString random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return ByteString.of(bytes);
    }
}
