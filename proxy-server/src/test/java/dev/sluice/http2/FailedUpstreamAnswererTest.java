package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.RecordingHttpObserver;
import dev.sluice.testing.SluiceFixture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection Sluice keeps with a gRPC client whose upstream failed: every request of the first read is answered
 * trailers-only with the status and recorded, then GOAWAY, then the connection ends; nothing else is read or kept.
 * Frame by frame with Netty's own client codec on an {@link EmbeddedChannel} pair, and with a real grpc-java client
 * over loopback.
 */
class FailedUpstreamAnswererTest {
    private static final String REASON = "connect_refused";
    private static final String MESSAGE = "sluice: upstream connect refused (connect_refused)";
    private static final GrpcAnswer ANSWER = GrpcAnswer.unavailable("upstream connect refused (connect_refused)");
    private static final Duration NEVER = Duration.ofHours(1);

    private final RecordingHttpObserver observer = new RecordingHttpObserver();
    private EmbeddedChannel server;
    private EmbeddedChannel client;
    private ClientFrames frames;

    @AfterEach
    void release() {
        if (server != null) {
            server.finishAndReleaseAll();
            client.finishAndReleaseAll();
        }
    }

    @Test
    void answersEveryRequestOfTheFirstReadTrailersOnlyThenGoesAway() {
        connect(NEVER, true);

        exchange(List.of(grpcRequest("/pkg.Svc/Get"), grpcRequest("/pkg.Svc/List"), grpcRequest("/pkg.Other/Do")),
                true);

        List<Object> received = received();
        List<Http2HeadersFrame> answers = ofType(received, Http2HeadersFrame.class);
        assertThat(answers).hasSize(3).allSatisfy(answer -> {
            assertThat(answer.isEndStream()).isTrue();
            assertThat(answer.headers().status()).hasToString("200");
            assertThat(answer.headers().get("content-type")).hasToString("application/grpc");
            assertThat(answer.headers().get("grpc-status")).hasToString("14");
            assertThat(answer.headers().get("grpc-message")).hasToString(MESSAGE);
        });
        assertThat(ofType(received, Http2ResetFrame.class)).as("requests that had ended are not reset").isEmpty();
        assertThat(ofType(received, Http2GoAwayFrame.class)).singleElement().satisfies(goAway -> {
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            assertThat(goAway.lastStreamId()).isEqualTo(answers.get(2).stream().id());
        });
        assertThat(observer.exchanges).extracting(HttpExchangeRecord::path)
                .containsExactly("/pkg.Svc/Get", "/pkg.Svc/List", "/pkg.Other/Do");
        assertThat(observer.exchanges.get(0)).satisfies(record -> {
            assertThat(record.protocol()).isEqualTo("h2");
            assertThat(record.method()).isEqualTo("POST");
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.error()).isEqualTo(REASON);
            assertThat(record.bytesUp()).isZero();
            assertThat(record.grpc()).isEqualTo(new GrpcCallRecord("pkg.Svc", "Get", 14, MESSAGE, null, null, 0, 0, 0,
                    0, null, true));
        });
        assertThat(server.isOpen()).as("the connection ends after the GOAWAY").isFalse();
        assertThat(observer.closedCalls).hasValue(1);
    }

    @Test
    void aRequestStillSendingIsResetWithNoErrorAndItsBodyIsNeverRead() {
        connect(NEVER, true);
        Http2FrameStream stream = frames.newStream();
        List<Object> request = List.of(new DefaultHttp2HeadersFrame(grpcHead("/pkg.Svc/Upload"), false).stream(stream),
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer("a message", StandardCharsets.UTF_8), false)
                        .stream(stream));

        exchange(request, false);

        List<Object> received = received();
        assertThat(ofType(received, Http2HeadersFrame.class)).singleElement()
                .satisfies(answer -> assertThat(answer.headers().get("grpc-status")).hasToString("14"));
        assertThat(ofType(received, Http2ResetFrame.class)).singleElement()
                .satisfies(reset -> assertThat(reset.errorCode()).isEqualTo(Http2Error.NO_ERROR.code()));
        assertThat(observer.exchanges).singleElement().satisfies(record -> assertThat(record.bytesUp()).isZero());
    }

    @Test
    void aRequestThatIsNoGrpcCallIsAnsweredTooWithoutACallRecord() {
        connect(NEVER, true);

        exchange(List.of(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("https")
                .authority("origin.test").path("/index.html"), true)), true);

        assertThat(ofType(received(), Http2HeadersFrame.class)).singleElement()
                .satisfies(answer -> assertThat(answer.headers().get("grpc-status")).hasToString("14"));
        assertThat(observer.exchanges).singleElement().satisfies(record -> {
            assertThat(record.method()).isEqualTo("GET");
            assertThat(record.error()).isEqualTo(REASON);
            assertThat(record.grpc()).isNull();
        });
    }

    @Test
    void withTheCallViewOffACallsRecordStillCarriesTheAnswer() {
        connect(NEVER, false);

        exchange(List.of(grpcRequest("/pkg.Svc/Get")), true);

        assertThat(observer.exchanges).singleElement().satisfies(record -> assertThat(record.grpc())
                .isEqualTo(new GrpcCallRecord("pkg.Svc", "Get", 14, MESSAGE, null, null, 0, 0, 0, 0, null, true)));
    }

    @Test
    void answersAtMostAHundredRequestsAConnection() {
        // The client sends before it has Sluice's SETTINGS (their stream limit), so all it writes goes out.
        start(NEVER, true, H2LimitsConfig.DEFAULTS);
        List<Object> requests = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            requests.add(grpcRequest("/pkg.Svc/M" + i));
        }

        List<ChannelFuture> written = exchange(requests, true);

        assertThat(written).hasSize(150).allSatisfy(write -> assertThat(write.isSuccess()).isTrue());
        List<Object> received = received();
        List<Http2HeadersFrame> answers = ofType(received, Http2HeadersFrame.class);
        assertThat(answers).hasSize(FailedUpstreamAnswerer.MAX_ANSWERS);
        assertThat(ofType(received, Http2GoAwayFrame.class)).singleElement().satisfies(goAway -> assertThat(
                goAway.lastStreamId()).isEqualTo(answers.get(FailedUpstreamAnswerer.MAX_ANSWERS - 1).stream().id()));
        assertThat(observer.exchanges).hasSize(FailedUpstreamAnswerer.MAX_ANSWERS);
        assertThat(server.isOpen()).isFalse();
    }

    @Test
    void aClientThatAsksNothingIsClosedAtTheBound() {
        connect(Duration.ofSeconds(5), true);
        exchange(List.of(), false);
        assertThat(server.isOpen()).isTrue();

        server.advanceTimeBy(5, TimeUnit.SECONDS);
        server.runScheduledPendingTasks();

        assertThat(server.isOpen()).isFalse();
        assertThat(observer.exchanges).isEmpty();
        assertThat(observer.closedCalls).hasValue(1);
    }

    @Test
    void grpcJavaCallsGetTheStatusAndTheClientHangsUpAfterTheGoAway() throws Exception {
        try (AnsweringServer answering = new AnsweringServer()) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", answering.port()).usePlaintext()
                    .build();
            try {
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO,
                        GrpcCalls.options(), new byte[1]))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertUnavailable(e.getStatus()));
                GrpcCalls.Replies pongs = new GrpcCalls.Replies();
                StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                        channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
                pings.onNext(GrpcEchoServer.intMessage(1));
                pings.onNext(GrpcEchoServer.intMessage(2));
                assertUnavailable(pongs.awaitFailure());

                // The bound is an hour: only the client's own close, after Sluice's, can end these connections.
                for (RecordingHttpObserver connection : answering.awaitConnections(2).subList(0, 2)) {
                    assertThat(connection.awaitClosed()).isEqualTo(REASON);
                    assertThat(connection.exchanges).singleElement()
                            .satisfies(record -> assertThat(record.error()).isEqualTo(REASON));
                }
            } finally {
                GrpcChannels.close(channel);
            }
        }
    }

    /** Two PRIORITY frames a window: a client past them is told to calm down, where the defaults allow thousands. */
    @Test
    void aClientIsHeldToTheConfiguredLimits() {
        H2LimitsConfig d = H2LimitsConfig.DEFAULTS;
        connect(NEVER, true, new H2LimitsConfig(d.maxConcurrentStreams(), d.maxHeaderListSize(),
                d.maxResetsPerWindow(), d.resetWindow(), d.maxEmptyDataFrames(), d.maxQueuedControlFrames(),
                d.maxSmallContinuationFrames(), 2));

        // Below the client's codec, which writes no PRIORITY frame of its own.
        ChannelHandlerContext socket = client.pipeline().firstContext();
        Http2FrameWriter writer = new DefaultHttp2FrameWriter();
        for (int i = 0; i < 3; i++) {
            writer.writePriority(socket, 1, 0, (short) 16, false, socket.newPromise());
        }
        client.flush();
        shuttle();
        server.runPendingTasks();
        shuttle();

        assertThat(ofType(received(), Http2GoAwayFrame.class)).singleElement()
                .satisfies(goAway -> assertThat(goAway.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code()));
        assertThat(observer.h2Abuses).containsExactly("priority_flood");
        assertThat(server.isOpen()).isFalse();
    }

    /** The answerer on {@link #server}, Netty's client codec on {@link #client}, the client's settings exchanged. */
    private void connect(Duration bound, boolean grpcCallView) {
        connect(bound, grpcCallView, H2LimitsConfig.DEFAULTS);
    }

    private void connect(Duration bound, boolean grpcCallView, H2LimitsConfig limits) {
        start(bound, grpcCallView, limits);
        shuttle();
        received();
    }

    /** As {@link #connect}, with nothing exchanged yet. */
    private void start(Duration bound, boolean grpcCallView, H2LimitsConfig limits) {
        server = new EmbeddedChannel();
        FailedUpstreamAnswerer.start(server, ANSWER, REASON, grpcCallView, limits, observer, bound);
        frames = new ClientFrames();
        client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(), frames);
    }

    /**
     * Writes {@code requests} (with {@code newStreams}, each HEADERS on a stream of its own) and lets both sides
     * answer; returns the client's writes.
     */
    private List<ChannelFuture> exchange(List<Object> requests, boolean newStreams) {
        List<ChannelFuture> written = new ArrayList<>();
        for (Object request : requests) {
            if (newStreams && request instanceof Http2HeadersFrame head) {
                head.stream(frames.newStream());
            }
            written.add(client.write(request));
        }
        client.flush();
        shuttle();
        return written;
    }

    /** Moves bytes both ways until neither side has more; all the client wrote arrives in one read. */
    private void shuttle() {
        boolean moved = true;
        while (moved) {
            moved = false;
            List<ByteBuf> up = drain(client);
            if (!up.isEmpty() && server.isOpen()) {
                server.writeInbound(Unpooled.wrappedBuffer(up.toArray(ByteBuf[]::new)));
                moved = true;
            } else {
                up.forEach(ReferenceCountUtil::release);
            }
            List<ByteBuf> down = drain(server);
            if (!down.isEmpty()) {
                client.writeInbound(Unpooled.wrappedBuffer(down.toArray(ByteBuf[]::new)));
                moved = true;
            }
        }
    }

    private static List<ByteBuf> drain(EmbeddedChannel channel) {
        List<ByteBuf> bytes = new ArrayList<>();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            bytes.add((ByteBuf) out);
        }
        return bytes;
    }

    /** The frames the client received since last asked; released, read only for their fields. */
    private List<Object> received() {
        List<Object> received = new ArrayList<>();
        for (Object in = client.readInbound(); in != null; in = client.readInbound()) {
            received.add(in);
            ReferenceCountUtil.release(in);
        }
        return received;
    }

    private static <T> List<T> ofType(List<Object> frames, Class<T> type) {
        return frames.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Http2HeadersFrame grpcRequest(String path) {
        return new DefaultHttp2HeadersFrame(grpcHead(path), true);
    }

    private static Http2Headers grpcHead(String path) {
        return new DefaultHttp2Headers().method("POST").scheme("https").authority("origin.test").path(path)
                .add("content-type", "application/grpc").add("te", "trailers");
    }

    private static void assertUnavailable(Status status) {
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo(MESSAGE);
    }

    /** Behind the client's codec: opens streams, passes every frame on to the channel's inbound queue. */
    private static final class ClientFrames extends Http2ChannelDuplexHandler {
    }

    /** The answerer on every connection accepted on a loopback port, cleartext, with an hour's bound. */
    private static final class AnsweringServer implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final List<RecordingHttpObserver> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Channel listener;

        AnsweringServer() throws InterruptedException {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            RecordingHttpObserver connection = new RecordingHttpObserver();
                            connections.add(connection);
                            FailedUpstreamAnswerer.start(channel, ANSWER, REASON, true, H2LimitsConfig.DEFAULTS,
                                    connection, NEVER);
                        }
                    })
                    .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        List<RecordingHttpObserver> awaitConnections(int count) throws InterruptedException {
            long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
            while (connections.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(connections).hasSizeGreaterThanOrEqualTo(count);
            return connections;
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
