package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.RecordingHttpObserver;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
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

/** Resets, GOAWAY, connection loss, stream limits and idleness, against an origin scripted with Netty's codec. */
class H2BridgeStreamControlTest {
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

    private void start(Http2Settings settings, ScriptedH2Origin.Script script) throws Exception {
        start(BridgeHarness.PATIENCE, settings, script);
    }

    private void start(Duration idleTimeout, Http2Settings settings, ScriptedH2Origin.Script script)
            throws Exception {
        origin = new ScriptedH2Origin(settings, script);
        bridge = BridgeHarness.cleartext(origin.port(), idleTimeout);
    }

    private Response get(String path) throws IOException {
        return bridge.okHttp().newCall(new Request.Builder().url(bridge.url(path)).build()).execute();
    }
}
