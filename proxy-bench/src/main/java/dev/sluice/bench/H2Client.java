package dev.sluice.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client (Netty, one event loop) that makes one GET on a new TLS connection, straight to the origin or
 * through an HTTP CONNECT proxy, and reads the body to nowhere. Direct and proxied exchanges run the same code with
 * the same settings, so their ratio is fair. Windows are as large as browsers open them, so that flow control does
 * not cap a bulk download on loopback.
 */
final class H2Client implements AutoCloseable {
    static final int STREAM_WINDOW = 8 << 20;
    static final int CONNECTION_WINDOW = 16 << 20;

    /** The first hop of a connection: the origin itself, or a proxy asked to {@code CONNECT host:port}. */
    record Route(InetSocketAddress firstHop, boolean tunnel) {
        static Route direct(InetSocketAddress origin) {
            return new Route(origin, false);
        }

        static Route through(InetSocketAddress proxy) {
            return new Route(proxy, true);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Duration timeout;

    /** @param timeout how long one exchange may take, connect to end of body, before it fails */
    H2Client(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * {@code GET https://host:port/path} on a new connection along {@code route}, with TLS from {@code tls} (SNI and
     * certificate check for {@code host}); returns the length of the 200 response's body once it has all arrived.
     *
     * @throws IOException on any other status, a failed handshake, an ALPN other than h2, a reset or the timeout
     */
    long get(Route route, String host, int port, String path, SslContext tls) throws IOException {
        SocketChannel socket = HttpConnect.open(route.firstHop());
        ScheduledFuture<?> watchdog = Watchdog.closeAfter(socket, timeout);
        try {
            if (route.tunnel() && HttpConnect.tunnel(socket, host + ":" + port) != 0) {
                throw new IOException("the proxy sent bytes after its CONNECT answer, before the TLS handshake");
            }
        } catch (IOException e) {
            socket.close();
            throw e;
        } finally {
            watchdog.cancel(false);
        }
        return exchange(new NioSocketChannel(socket), host, port, path, tls);
    }

    private long exchange(NioSocketChannel channel, String host, int port, String path, SslContext tls)
            throws IOException {
        Promise<Long> body = group.next().newPromise();
        SslHandler ssl = tls.newHandler(channel.alloc(), host, port);
        channel.pipeline().addLast(ssl,
                Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(STREAM_WINDOW))
                        .build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel pushed) {
                        pushed.close(); // push is off; nothing else opens streams towards a client
                    }
                }),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        body.tryFailure(cause);
                        ctx.close();
                    }
                });
        channel.closeFuture().addListener(f -> body.tryFailure(new IOException("the connection closed before the body ended")));
        ssl.handshakeFuture().addListener(handshake -> {
            if (!handshake.isSuccess()) {
                body.tryFailure(new IOException("TLS handshake for " + host + " failed: " + handshake.cause(),
                        handshake.cause()));
            } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                body.tryFailure(new IOException("ALPN chose " + ssl.applicationProtocol() + ", not h2"));
            } else {
                channel.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                        CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
                request(channel, host, port, path, body);
            }
        });
        try {
            group.register(channel);
            if (!body.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("no complete answer from " + host + " within " + timeout);
            }
            if (!body.isSuccess()) {
                Throwable cause = body.cause();
                throw cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
            }
            return body.getNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            channel.close().awaitUninterruptibly();
        }
    }

    private static void request(NioSocketChannel channel, String host, int port, String path, Promise<Long> body) {
        new Http2StreamChannelBootstrap(channel).handler(new BodyCounter(body)).open().addListener(opened -> {
            if (!opened.isSuccess()) {
                body.tryFailure(opened.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                    .method("GET").scheme("https").authority(host + ":" + port).path(path), true));
        });
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
