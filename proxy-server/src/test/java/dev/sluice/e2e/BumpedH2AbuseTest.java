package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.testing.FloodingH2Client;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bumped HTTP/2 client flooding RST_STREAM (Rapid Reset) or small WINDOW_UPDATE frames, or repeating HPACK bombs,
 * through a real Sluice is sent GOAWAY ENHANCE_YOUR_CALM and closed, counted in {@code sluice_h2_abuse_total} and
 * logged on its connection's line; one opening more streams than {@code limits.h2.maxConcurrentStreams} has the extra
 * refused (REFUSED_STREAM) and counted in {@code sluice_h2_streams_refused_total}; a well-behaved client bumped to the
 * same origin is served before and after.
 */
class BumpedH2AbuseTest {
    private static final int MAX_STREAMS = 2;

    private SluiceFixture sluice;
    private MockWebServer origin;
    private OkHttpClient wellBehaved;

    @BeforeEach
    void start() throws Exception {
        sluice = SluiceFixture.builder().tls().yaml("""
                limits: {h2: {maxConcurrentStreams: %d}}
                default: bump
                """.formatted(MAX_STREAMS)).start();
        origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1);
        origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("served").build();
            }
        });
        wellBehaved = sluice.okHttp();
    }

    @AfterEach
    void stop() {
        origin.close();
        sluice.close();
    }

    @Test
    void aRapidResetClientIsToldToCalmDownClosedAndCountedWhileOthersAreServed() throws Exception {
        assertOffenderIsToldToCalmDownClosedAndCounted("rapid_reset", (offender, get) -> {
            for (int i = 0; i < 1000; i++) {
                offender.headers(1 + 2 * i, get, true).rstStream(1 + 2 * i, Http2Error.CANCEL.code());
            }
        });
    }

    @Test
    void aClientRepeatingHpackBombsIsToldToCalmDownClosedAndCountedWhileOthersAreServed() throws Exception {
        assertOffenderIsToldToCalmDownClosedAndCounted("header_list_size", (offender, get) -> {
            Http2Headers bomb = FloodingH2Client.hpackBomb(get);
            // One at a time: a stream answered 431 counts against maxConcurrentStreams until the answer is written.
            for (int i = 0; i < 11; i++) {
                offender.headers(1 + 2 * i, bomb, true).flush();
                assertThat(offender.awaitStatus(1 + 2 * i)).isEqualTo("431");
            }
        });
    }

    @Test
    void aClientFloodingSmallWindowUpdatesIsToldToCalmDownClosedAndCountedWhileOthersAreServed() throws Exception {
        assertOffenderIsToldToCalmDownClosedAndCounted("window_update_flood", (offender, get) -> {
            for (int i = 0; i <= H2LimitsConfig.DEFAULTS.maxControlFramesPerWindow(); i++) {
                offender.windowUpdate(0, 1);
            }
        });
    }

    private interface Abuse {
        void write(FloodingH2Client offender, Http2Headers get) throws IOException;
    }

    private void assertOffenderIsToldToCalmDownClosedAndCounted(String kind, Abuse abuse) throws Exception {
        assertWellBehavedClientIsServed();
        String authority = TestOrigins.authority(origin.getPort());

        try (FloodingH2Client offender = FloodingH2Client.throughProxy(sluice.proxyAddress(), authority,
                sluice.clientCertificates().sslSocketFactory())) {
            abuse.write(offender, new DefaultHttp2Headers().method("GET").scheme("https").authority(authority)
                    .path("/"));
            offender.flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }

        sluice.awaitMetric(1, "sluice_h2_abuse_total", "leg", "client", "kind", kind);
        assertThat(sluice.awaitAccessLog(line -> ("h2_" + kind).equals(line.text("error"))).text("action"))
                .isEqualTo("bump");
        assertWellBehavedClientIsServed();
    }

    @Test
    void aStreamPastTheConcurrencyLimitIsRefusedAndCounted() throws Exception {
        String authority = TestOrigins.authority(origin.getPort());

        try (FloodingH2Client client = FloodingH2Client.throughProxy(sluice.proxyAddress(), authority,
                sluice.clientCertificates().sslSocketFactory())) {
            // Uploads never finished: each stream stays open.
            Http2Headers post = new DefaultHttp2Headers().method("POST").scheme("https").authority(authority)
                    .path("/upload");
            for (int i = 0; i <= MAX_STREAMS; i++) {
                client.headers(1 + 2 * i, post, false);
            }
            client.flush();

            assertThat(client.awaitReset(1 + 2 * MAX_STREAMS)).isEqualTo(Http2Error.REFUSED_STREAM.code());
        }

        sluice.awaitMetric(1, "sluice_h2_streams_refused_total", "reason", "refused_stream");
        assertWellBehavedClientIsServed();
    }

    private void assertWellBehavedClientIsServed() throws Exception {
        try (Response response = wellBehaved.newCall(new Request.Builder()
                .url(TestOrigins.url("https", origin, "/")).build()).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
            assertThat(response.body().string()).isEqualTo("served");
        }
    }
}
