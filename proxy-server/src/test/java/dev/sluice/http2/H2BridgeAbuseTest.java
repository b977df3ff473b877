package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.testing.FloodingH2Client;
import dev.sluice.testing.RecordingHttpObserver;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
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
 * A client abusing HTTP/2 on the bridge's client leg has its connection ended by Netty's protections, with GOAWAY,
 * and reported as abuse, while a well-behaved client of the same bridge, connected all along, goes on being served.
 */
class H2BridgeAbuseTest {
    private static final H2LimitsConfig LIMITS = H2LimitsConfig.DEFAULTS;
    private final MockWebServer origin = new MockWebServer();
    private BridgeHarness bridge;
    private OkHttpClient wellBehaved;

    @BeforeEach
    void start() throws Exception {
        origin.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        origin.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("served").build();
            }
        });
        origin.start(InetAddress.getLoopbackAddress(), 0);
        bridge = BridgeHarness.cleartext(origin.getPort());
        wellBehaved = bridge.okHttp();
        assertWellBehavedClientIsServed();
    }

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @Test
    void rapidResetEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        assertToldToCalmDown("rapid_reset", offender -> {
            for (int i = 0; i <= LIMITS.maxResetsPerWindow(); i++) {
                int stream = 1 + 2 * i;
                offender.headers(stream, get(), true).rstStream(stream, Http2Error.CANCEL.code());
            }
        });
    }

    @Test
    void emptyDataFramesEndTheConnectionWithEnhanceYourCalm() throws Exception {
        assertToldToCalmDown("empty_frames", offender -> {
            offender.headers(1, get().method("POST"), false);
            for (int i = 0; i <= LIMITS.maxEmptyDataFrames(); i++) {
                offender.emptyData(1);
            }
        });
    }

    @Test
    void endlessSmallContinuationFramesEndTheConnectionWithEnhanceYourCalm() throws Exception {
        assertToldToCalmDown("continuation_flood", offender -> {
            offender.openHeaderBlock(1, new byte[0]);
            for (int i = 0; i <= 10 * LIMITS.maxSmallContinuationFrames(); i++) {
                offender.continuation(1, new byte[1]);
            }
        });
    }

    @Test
    void aHeaderBlockContinuedPastTheHeaderListLimitEndsTheConnectionWithProtocolError() throws Exception {
        byte[] fragment = new byte[16 << 10];
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            offender.openHeaderBlock(1, fragment);
            for (long sent = fragment.length; sent <= 2 * LIMITS.maxHeaderListSize(); sent += fragment.length) {
                offender.continuation(1, fragment);
            }
            offender.flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        }
        assertOffenderReportedAs("header_list_size");
    }

    /**
     * Netty stops counting an HPACK bomb at the limit and refuses that request with 431 (a stream error); the block
     * was well framed, so the connection stays up.
     */
    @Test
    void anHpackBombIsRefusedWith431AndTheConnectionGoesOn() throws Exception {
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            offender.headers(1, FloodingH2Client.hpackBomb(get()), true).flush();
            assertThat(offender.awaitStatus(1)).isEqualTo("431");

            offender.headers(3, get(), true).flush();
            assertThat(offender.awaitStatus(3)).isEqualTo("200");
        }
        assertThat(bridge.observers.get(1).refusedStreams).containsExactly(StreamRefusals.HEADER_LIST_SIZE);
        assertWellBehavedClientIsServed();
    }

    /** Each bomb costs Sluice its decoding; a client repeating it past a few 431s is ended. */
    @Test
    void repeatedHpackBombsEndTheConnectionWithEnhanceYourCalm() throws Exception {
        Http2Headers bomb = FloodingH2Client.hpackBomb(get());
        assertToldToCalmDown("header_list_size", offender -> {
            for (int i = 0; i <= StreamRefusals.MAX_OVERSIZED_HEADER_LISTS; i++) {
                offender.headers(1 + 2 * i, bomb, true);
            }
        });
    }

    @Test
    void aFloodOfSmallWindowUpdatesEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        assertToldToCalmDown("window_update_flood", offender -> {
            for (int i = 0; i <= LIMITS.maxControlFramesPerWindow(); i++) {
                offender.windowUpdate(0, 1);
            }
        });
    }

    /** Large increments are how clients grow windows, however often: only the connection window's bound applies. */
    @Test
    void windowUpdatesOfAtLeastOneKibibyteAreNotAFlood() throws Exception {
        try (FloodingH2Client client = FloodingH2Client.connect(bridge.port())) {
            for (int i = 0; i <= LIMITS.maxControlFramesPerWindow(); i++) {
                client.windowUpdate(0, ControlFloods.SMALL_INCREMENT);
            }
            client.headers(1, get(), true).flush();

            assertThat(client.awaitStatus(1)).isEqualTo("200");
        }
        assertThat(bridge.observers.get(1).h2Abuses).isEmpty();
    }

    @Test
    void aFloodOfPriorityFramesEndsTheConnectionWithEnhanceYourCalm() throws Exception {
        assertToldToCalmDown("priority_flood", offender -> {
            for (int i = 0; i <= LIMITS.maxControlFramesPerWindow(); i++) {
                offender.priority(1 + 2 * (i % 100), 0);
            }
        });
    }

    @Test
    void aWindowUpdateOverflowingTheConnectionWindowEndsItWithFlowControlError() throws Exception {
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            offender.windowUpdate(0, Integer.MAX_VALUE).windowUpdate(0, Integer.MAX_VALUE).flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.FLOW_CONTROL_ERROR.code());
        }
        assertOffenderReportedAs("flow_control_error");
    }

    @Test
    void aWindowUpdateOfZeroForTheConnectionEndsItWithProtocolError() throws Exception {
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            offender.zeroWindowUpdate(0).flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        }
        assertOffenderReportedAs("protocol_error");
    }

    @Test
    void aPingFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        floodWithoutReading(offender -> offender.ping(42));
    }

    @Test
    void aSettingsFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        floodWithoutReading(offender -> offender.settings(new Http2Settings()));
    }

    private interface Frame {
        void write(FloodingH2Client offender);
    }

    /** The offender's frames, sent at once, end its connection with GOAWAY ENHANCE_YOUR_CALM, reported as {@code kind}. */
    private void assertToldToCalmDown(String kind, Frame flood) throws Exception {
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            flood.write(offender);
            offender.flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
        assertOffenderReportedAs(kind);
    }

    /**
     * Each frame makes Sluice queue an acknowledgement the offender never reads, until the queue passes its limit. The
     * GOAWAY is queued behind the acknowledgements, so the offender sees only its connection end.
     */
    private void floodWithoutReading(Frame frame) throws Exception {
        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port(), 4096)) {
            long deadline = System.nanoTime() + BridgeHarness.PATIENCE.toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                for (int i = 0; i < 1000; i++) {
                    frame.write(offender);
                }
                closed = !offender.flood();
            }
            assertThat(closed).as("offender's connection closed").isTrue();
        }
        assertOffenderReportedAs("control_frames");
    }

    private void assertOffenderReportedAs(String kind) throws Exception {
        RecordingHttpObserver offender = bridge.observers.get(1);
        assertThat(offender.awaitClosed()).isEqualTo("h2_" + kind);
        assertThat(offender.h2Abuses).containsExactly(kind);
        assertThat(bridge.observers.get(0).h2Abuses).isEmpty();
        assertWellBehavedClientIsServed();
    }

    private void assertWellBehavedClientIsServed() throws IOException {
        try (Response response = wellBehaved.newCall(new Request.Builder().url(bridge.url("/")).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("served");
        }
    }

    private static Http2Headers get() {
        return new DefaultHttp2Headers().method("GET").scheme("http").authority("127.0.0.1").path("/");
    }
}
