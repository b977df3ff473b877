package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.testing.FloodingH2Client;
import dev.sluice.testing.RecordingHttpObserver;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.h2} as an operator sets it: streams past the concurrency limit are refused and counted, a client
 * provoking Sluice into resets is stopped, and an origin flooding the upstream leg loses its connection (counted as
 * the upstream's abuse) while the client's stream gets an answer rather than a hang.
 */
class H2BridgeLimitsTest {
    private static final H2LimitsConfig D = H2LimitsConfig.DEFAULTS;
    /** Two streams, five resets per window; the rest the defaults. */
    private static final H2LimitsConfig TIGHT = new H2LimitsConfig(2, D.maxHeaderListSize(), 5, D.resetWindow(),
            D.maxEmptyDataFrames(), D.maxQueuedControlFrames(), D.maxSmallContinuationFrames());

    private ScriptedH2Origin origin;
    private BridgeHarness bridge;

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @Test
    void aStreamPastTheConcurrencyLimitIsRefusedAndCountedWhileTheOpenOnesGoOn() throws Exception {
        start(TIGHT, (stream, head) -> {
            if (!head.headers().path().toString().equals("/held")) {
                ScriptedH2Origin.respond(stream, "served");
            }
        });

        try (FloodingH2Client client = FloodingH2Client.connect(bridge.port())) {
            client.headers(1, get("/held"), true).headers(3, get("/held"), true).headers(5, get("/held"), true).flush();

            assertThat(client.awaitReset(5)).isEqualTo(Http2Error.REFUSED_STREAM.code());
        }
        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.refusedStreams).containsExactly(StreamRefusals.REFUSED_STREAM);
        assertThat(observer.awaitClosed()).isEqualTo("client_reset");
    }

    @Test
    void aClientProvokingResetsEndsItsConnectionWithEnhanceYourCalm() throws Exception {
        start(TIGHT, (stream, head) -> { });

        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            // A WINDOW_UPDATE of zero on an open stream is a stream error: Sluice resets the stream.
            for (int i = 0; i <= TIGHT.maxResetsPerWindow(); i++) {
                int stream = 1 + 2 * i;
                offender.headers(stream, get("/provoke").method("POST"), false).zeroWindowUpdate(stream);
            }
            offender.flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("h2_provoked_resets");
        assertThat(observer.h2Abuses).containsExactly("provoked_resets");
    }

    @Test
    void anOriginSendingEmptyDataFramesLosesItsConnectionAndTheClientIsAnswered() throws Exception {
        start(D, (stream, head) -> stream.writeAndFlush(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().status("200"))).addListener(sent -> {
            // Past the origin's codec, which would merge the empty frames into one.
            ChannelHandlerContext socket = stream.parent().pipeline().firstContext();
            Http2FrameWriter frames = new DefaultHttp2FrameWriter();
            for (int i = 0; i <= D.maxEmptyDataFrames(); i++) {
                frames.writeData(socket, stream.stream().id(), Unpooled.EMPTY_BUFFER, 0, false, socket.newPromise());
            }
            socket.flush();
        }));

        Request request = new Request.Builder().url(bridge.url("/flood")).build();
        assertThatThrownBy(() -> {
            try (Response response = bridge.okHttp().newCall(request).execute()) {
                response.body().string();
            }
        }).isInstanceOf(IOException.class);

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("upstream_reset");
        assertThat(observer.upstreamH2Abuses).containsExactly("empty_frames");
        assertThat(observer.h2Abuses).isEmpty();
    }

    private void start(H2LimitsConfig limits, ScriptedH2Origin.Script script) throws Exception {
        origin = new ScriptedH2Origin(new Http2Settings(), script);
        bridge = BridgeHarness.cleartext(origin.port(), limits);
    }

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").authority("127.0.0.1").path(path);
    }
}
