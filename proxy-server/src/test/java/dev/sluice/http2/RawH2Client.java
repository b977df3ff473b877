package dev.sluice.http2;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A prior-knowledge HTTP/2 client built from Netty's codec, for request heads ready-made clients never send (no
 * {@code :authority}, a {@code host} field beside it): each request is one HEADERS frame on a new stream, and what
 * comes back is the response head.
 */
final class RawH2Client implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;

    RawH2Client(int port) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(InetAddress.getLoopbackAddress(), port).sync().channel();
    }

    /** Sends {@code head} as a whole request; the response head, or an IOException for a reset. */
    Http2Headers request(Http2Headers head) throws Exception {
        return send(head, true);
    }

    /** Sends {@code head} as a request whose body never ends; the response head, or an IOException for a reset. */
    Http2Headers requestWithoutEnd(Http2Headers head) throws Exception {
        return send(head, false);
    }

    private Http2Headers send(Http2Headers head, boolean endStream) throws Exception {
        CompletableFuture<Http2Headers> response = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2HeadersFrame frame) {
                            response.complete(frame.headers());
                        }
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof Http2ResetFrame reset) {
                            response.completeExceptionally(new IOException("stream reset: " + reset.errorCode()));
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        response.completeExceptionally(new IOException("stream closed without a response"));
                    }
                })
                .open().sync().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head, endStream));
        return response.get(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
    }
}
