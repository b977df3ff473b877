package dev.sluice.http2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * An HTTP/2 origin on loopback built from Netty's codec, for what ready-made servers will not do on demand (reset a
 * stream, say GOAWAY mid-stream, drop the connection): each request head is handed to a {@link Script} with its
 * stream channel; request bodies are discarded. Cleartext prior-knowledge h2, or {@link #tls} for a bump.
 */
public final class ScriptedH2Origin implements AutoCloseable {
    /** What the origin does with one request. Runs on the origin's event loop. */
    public interface Script {
        void onRequest(Http2StreamChannel stream, Http2HeadersFrame head);
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    ScriptedH2Origin(Http2Settings settings, Script script) throws InterruptedException {
        this(settings, null, script);
    }

    private ScriptedH2Origin(Http2Settings settings, SslContext tls, Script script) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel connection) {
                        if (tls != null) {
                            connection.pipeline().addLast(tls.newHandler(connection.alloc()));
                        }
                        connection.pipeline().addLast(
                                Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(new Requests(script));
                                    }
                                }));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    /**
     * Over TLS with ALPN h2, presenting the test PKI's certificate for {@link dev.sluice.testing.TestPki#ORIGIN_HOST},
     * so Sluice can bump to it.
     */
    public static ScriptedH2Origin tls(Script script) throws InterruptedException, SSLException {
        return new ScriptedH2Origin(new Http2Settings(), BridgeHarness.clientTls(), script);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Answers 200 with {@code body} and END_STREAM. */
    static void respond(Http2StreamChannel stream, String body) {
        stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
        stream.writeAndFlush(new DefaultHttp2DataFrame(
                stream.alloc().buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8)), true));
    }

    /** Answers 200 with {@code body} after {@code millis}. */
    static void respondLater(Http2StreamChannel stream, String body, long millis) {
        stream.eventLoop().schedule(() -> respond(stream, body), millis, TimeUnit.MILLISECONDS);
    }

    /** Answers a gRPC call: response head, {@code message} length-prefixed, trailers with {@code grpc-status: 0}. */
    public static void respondGrpc(Http2StreamChannel stream, byte[] message) {
        stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                .set("content-type", "application/grpc")));
        stream.write(new DefaultHttp2DataFrame(stream.alloc().buffer(5 + message.length)
                .writeByte(0).writeInt(message.length).writeBytes(message)));
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Requests extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final Script script;

        Requests(Script script) {
            this.script = script;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
            if (frame instanceof Http2HeadersFrame head && head.headers().method() != null) {
                script.onRequest((Http2StreamChannel) ctx.channel(), head);
            }
        }
    }
}
