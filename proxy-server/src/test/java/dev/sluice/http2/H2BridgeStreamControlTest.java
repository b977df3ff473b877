package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.testing.FloodingH2Client;
import dev.sluice.testing.RecordingHttpObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Resets, GOAWAY, connection loss, stream limits ({@code limits.h2.maxConcurrentStreams}), an origin flooding the
 * upstream leg, and idleness, against an origin scripted with Netty's codec.
 */
class H2BridgeStreamControlTest {
    private static final H2LimitsConfig D = H2LimitsConfig.DEFAULTS;
    /** Two streams, five resets per window. */
    private static final H2LimitsConfig TWO_STREAMS = new H2LimitsConfig(2, D.maxHeaderListSize(), 5,
            D.resetWindow(), D.maxEmptyDataFrames(), D.maxQueuedControlFrames(), D.maxSmallContinuationFrames(),
            D.maxControlFramesPerWindow());
    private ScriptedH2Origin origin;
    private BridgeHarness bridge;

    @AfterEach
    void stop() {
        bridge.close();
        origin.close();
    }

    @Test
    void anUpstreamResetReachesTheClientWithItsErrorCode() throws Exception {
        start(new Http2Settings(), (stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.ENHANCE_YOUR_CALM)));

        assertThatThrownBy(() -> get("/reset").close())
                .isInstanceOfSatisfying(StreamResetException.class,
                        e -> assertThat(e.errorCode).isEqualTo(ErrorCode.ENHANCE_YOUR_CALM));
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("upstream_reset");
    }

    @Test
    void afterAnUpstreamGoAwayTheInFlightStreamFinishesThenBothConnectionsClose() throws Exception {
        start(new Http2Settings(), (stream, head) -> {
            stream.parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            ScriptedH2Origin.respondLater(stream, "finished anyway", 200);
        });

        try (Response response = get("/in-flight")) {
            assertThat(response.body().string()).isEqualTo("finished anyway");
        }

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.exchanges).singleElement().satisfies(exchange -> {
            assertThat(exchange.status()).isEqualTo(200);
            assertThat(exchange.error()).isNull();
        });
    }

    @Test
    void whenTheUpstreamConnectionDiesItsStreamsAreResetAtTheClient() throws Exception {
        start(new Http2Settings(), (stream, head) -> stream.parent().close());

        assertThatThrownBy(() -> get("/dropped").close()).isInstanceOf(IOException.class);

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("upstream_reset");
        assertThat(observer.exchanges).singleElement()
                .satisfies(exchange -> assertThat(exchange.error()).isEqualTo("upstream_closed"));
    }

    @Test
    void theClientIsOfferedTheUpstreamsConcurrentStreamLimit() throws Exception {
        start(new Http2Settings().maxConcurrentStreams(3), (stream, head) -> ScriptedH2Origin.respond(stream, ""));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            CompletableFuture<Http2Settings> offered = new CompletableFuture<>();
            Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof Http2SettingsFrame settings) {
                                                offered.complete(settings.settings());
                                            }
                                            ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    })
                    .connect(InetAddress.getLoopbackAddress(), bridge.port()).sync().channel();

            assertThat(offered.get(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS).maxConcurrentStreams())
                    .isEqualTo(3L);
            connection.close().sync();
        } finally {
            group.shutdownGracefully(0, BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aStreamOpenLongerThanTheIdleTimeoutIsNotCutButAnIdleConnectionIsClosed() throws Exception {
        start(Duration.ofSeconds(1), new Http2Settings(),
                (stream, head) -> ScriptedH2Origin.respondLater(stream, "slow", 2_500));

        try (Response response = get("/slow")) {
            assertThat(response.body().string()).isEqualTo("slow");
        }

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("idle_timeout");
        assertThat(observer.exchanges).singleElement()
                .satisfies(exchange -> assertThat(exchange.error()).isNull());
    }

    @Test
    void aStreamPastTheConcurrencyLimitIsRefusedAndCountedWhileTheOpenOnesGoOn() throws Exception {
        start(TWO_STREAMS, (stream, head) -> {
            if (!head.headers().path().toString().equals("/held")) {
                ScriptedH2Origin.respond(stream, "served");
            }
        });

        try (FloodingH2Client client = FloodingH2Client.connect(bridge.port())) {
            client.headers(1, get("/held", "GET"), true).headers(3, get("/held", "GET"), true)
                    .headers(5, get("/held", "GET"), true).flush();

            assertThat(client.awaitReset(5)).isEqualTo(Http2Error.REFUSED_STREAM.code());
        }
        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.refusedStreams).containsExactly(StreamRefusals.REFUSED_STREAM);
        assertThat(observer.awaitClosed()).isEqualTo("client_reset");
    }


    /**
     * Each refused stream costs Sluice a RST_STREAM: a client that keeps opening streams past the limit provokes
     * resets (MadeYouReset) and is stopped by {@code limits.h2.maxResetsPerWindow}.
     */
    @Test
    void aClientOpeningStreamsPastTheLimitOverAndOverIsToldToCalmDown() throws Exception {
        start(TWO_STREAMS, (stream, head) -> { });

        try (FloodingH2Client offender = FloodingH2Client.connect(bridge.port())) {
            for (int i = 0; i < 2 + TWO_STREAMS.maxResetsPerWindow() + 1; i++) {
                offender.headers(1 + 2 * i, get("/held", "GET"), true);
            }
            offender.flood();

            assertThat(offender.awaitGoAwayAndClose()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        }
        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitClosed()).isEqualTo("h2_provoked_resets");
        assertThat(observer.h2Abuses).containsExactly("provoked_resets");
    }

    /**
     * The resets the origin sends are relayed to the client, but the client did not provoke them: they must not count
     * against its {@code limits.h2.maxResetsPerWindow} (MadeYouReset), or an origin resetting streams gets an
     * innocent client's whole connection ended with ENHANCE_YOUR_CALM and counted as the client's abuse.
     */
    @Test
    void resetsTheOriginSendsDoNotCountAsTheClientsAbuse() throws Exception {
        H2LimitsConfig fiveResets = new H2LimitsConfig(D.maxConcurrentStreams(), D.maxHeaderListSize(), 5,
                D.resetWindow(), D.maxEmptyDataFrames(), D.maxQueuedControlFrames(), D.maxSmallContinuationFrames(),
                D.maxControlFramesPerWindow());
        start(fiveResets, (stream, head) ->
                stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR)));

        try (FloodingH2Client client = FloodingH2Client.connect(bridge.port())) {
            // One request at a time, each waiting for its answer: nothing a client could be blamed for.
            for (int i = 0; i < 2 * fiveResets.maxResetsPerWindow(); i++) {
                int stream = 1 + 2 * i;
                client.headers(stream, get("/reset", "GET"), true).flush();
                assertThat(client.awaitReset(stream)).isEqualTo(Http2Error.INTERNAL_ERROR.code());
            }
        }

        assertThat(bridge.onlyObserver().h2Abuses).isEmpty();
    }

    @Test
    void aResponseHeaderListPastTheLimitResetsOnlyItsStream() throws Exception {
        start(H2LimitsConfig.DEFAULTS, (stream, head) -> {
            if (head.headers().path().toString().equals("/huge")) {
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                        .set("x-huge", "h".repeat(H2LimitsConfig.DEFAULTS.maxHeaderListSize())), true));
            } else {
                ScriptedH2Origin.respond(stream, "fine");
            }
        });

        assertThatThrownBy(() -> get("/huge").close()).isInstanceOf(IOException.class);
        try (Response response = get("/fine")) {
            assertThat(response.body().string()).isEqualTo("fine");
        }

        // OkHttp takes a reset it did not ask for as a sign to use a new connection: the first one is the /huge one.
        RecordingHttpObserver observer = bridge.observers.get(0);
        assertThat(observer.awaitExchanges(1).get(0).error()).isEqualTo("upstream_closed");
        assertThat(observer.upstreamH2Abuses).isEmpty();
    }

    @Test
    void anOriginSendingEmptyDataFramesLosesItsConnectionAndTheClientIsAnswered() throws Exception {
        assertAnOriginFloodingLosesItsConnection("empty_frames", D.maxEmptyDataFrames(), (frames, socket, stream) ->
                frames.writeData(socket, stream, Unpooled.EMPTY_BUFFER, 0, false, socket.newPromise()));
    }

    @Test
    void anOriginSendingSmallWindowUpdatesLosesItsConnectionAndTheClientIsAnswered() throws Exception {
        assertAnOriginFloodingLosesItsConnection("window_update_flood", D.maxControlFramesPerWindow(),
                (frames, socket, stream) -> frames.writeWindowUpdate(socket, 0, 1, socket.newPromise()));
    }

    private interface Frame {
        void write(Http2FrameWriter frames, ChannelHandlerContext socket, int stream);
    }

    /** The origin answers a request's head, then sends one frame more than the limit on its connection. */
    private void assertAnOriginFloodingLosesItsConnection(String kind, int limit, Frame frame) throws Exception {
        start(H2LimitsConfig.DEFAULTS, (stream, head) -> stream.writeAndFlush(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().status("200"))).addListener(sent -> {
            // Past the origin's codec, which would merge empty frames into one and check window updates.
            ChannelHandlerContext socket = stream.parent().pipeline().firstContext();
            Http2FrameWriter frames = new DefaultHttp2FrameWriter();
            for (int i = 0; i <= limit; i++) {
                frame.write(frames, socket, stream.stream().id());
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
        assertThat(observer.upstreamH2Abuses).containsExactly(kind);
        assertThat(observer.h2Abuses).isEmpty();
    }


    private void start(Http2Settings settings, ScriptedH2Origin.Script script) throws Exception {
        start(BridgeHarness.PATIENCE, settings, script);
    }

    private void start(Duration idleTimeout, Http2Settings settings, ScriptedH2Origin.Script script)
            throws Exception {
        origin = new ScriptedH2Origin(settings, script);
        bridge = BridgeHarness.cleartext(origin.port(), idleTimeout);
    }

    private void start(H2LimitsConfig limits, ScriptedH2Origin.Script script) throws Exception {
        origin = new ScriptedH2Origin(new Http2Settings(), script);
        bridge = BridgeHarness.cleartext(origin.port(), limits);
    }

    private static Http2Headers get(String path, String method) {
        return new DefaultHttp2Headers().method(method).scheme("http").authority("127.0.0.1").path(path);
    }

    private Response get(String path) throws IOException {
        return bridge.okHttp().newCall(new Request.Builder().url(bridge.url(path)).build()).execute();
    }
}
