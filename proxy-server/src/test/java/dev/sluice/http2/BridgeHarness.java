package dev.sluice.http2;

import dev.sluice.relay.TcpRelay;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * A proxy that is only the bridge, on an ephemeral loopback port: each accepted client connection (options as
 * {@code SluiceServer}'s) gets a connection to the origin on its own event loop, then {@link H2Bridge#start} with a
 * {@link RecordingHttpObserver}. Cleartext prior-knowledge h2 on both legs, or TLS with ALPN h2 on both (the
 * client is shown the test PKI's origin certificate, the origin must present one).
 */
final class BridgeHarness implements AutoCloseable {
    static final Duration PATIENCE = SluiceFixture.PATIENCE;

    /** One per bridged client connection, in the order they started. */
    final List<RecordingHttpObserver> observers = new CopyOnWriteArrayList<>();

    private final List<OkHttpClient> okHttpClients = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress origin;
    private final Duration idleTimeout;
    private final SslContext clientTls;
    private final SslContext upstreamTls;
    private final Channel server;

    private BridgeHarness(int originPort, Duration idleTimeout, boolean tls) throws Exception {
        this.origin = new InetSocketAddress(InetAddress.getLoopbackAddress(), originPort);
        this.idleTimeout = idleTimeout;
        this.clientTls = tls ? clientTls() : null;
        this.upstreamTls = tls ? upstreamTls() : null;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpRelay.WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel client) {
                        accepted(client);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    static BridgeHarness cleartext(int originPort) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, false);
    }

    static BridgeHarness cleartext(int originPort, Duration idleTimeout) throws Exception {
        return new BridgeHarness(originPort, idleTimeout, false);
    }

    static BridgeHarness tls(int originPort) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, true);
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** OkHttp speaking prior-knowledge h2 to the bridge; it does not retry, so a failure the bridge causes shows. */
    OkHttpClient okHttp() {
        OkHttpClient client = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
                .retryOnConnectionFailure(false)
                .readTimeout(PATIENCE)
                .writeTimeout(PATIENCE)
                .build();
        okHttpClients.add(client);
        return client;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The observer of the only bridge so far. */
    RecordingHttpObserver onlyObserver() {
        if (observers.size() != 1) {
            throw new AssertionError("expected one bridged connection, saw " + observers.size());
        }
        return observers.get(0);
    }

    private void accepted(Channel client) {
        ChannelFuture connect = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpRelay.WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel upstream) {
                        // nothing: the pipeline stays empty (or holds only "tls") for the bridge
                    }
                })
                .connect(origin);
        connect.addListener(connected -> {
            if (!connected.isSuccess()) {
                client.close();
            } else if (clientTls == null) {
                bridge(client, connect.channel());
            } else {
                handshakeBoth(client, connect.channel());
            }
        });
    }

    private void handshakeBoth(Channel client, Channel upstream) {
        SslHandler upstreamSsl = upstreamTls.newHandler(upstream.alloc(), TestPki.ORIGIN_HOST, origin.getPort());
        SslHandler clientSsl = clientTls.newHandler(client.alloc());
        upstream.pipeline().addLast("tls", upstreamSsl).addLast(EarlyBytes.NAME, new EarlyBytes());
        client.pipeline().addLast("tls", clientSsl).addLast(EarlyBytes.NAME, new EarlyBytes());
        upstream.read();
        client.read();
        upstreamSsl.handshakeFuture().addListener(up -> clientSsl.handshakeFuture().addListener(down -> {
            if (up.isSuccess() && down.isSuccess()) {
                bridge(client, upstream);
            } else {
                client.close();
                upstream.close();
            }
        }));
    }

    private void bridge(Channel client, Channel upstream) {
        RecordingHttpObserver observer = new RecordingHttpObserver();
        observers.add(observer);
        H2Bridge.start(client, upstream, idleTimeout, observer);
    }

    private static SslContext clientTls() throws SSLException {
        TestPki pki = TestPki.get();
        return SslContextBuilder.forServer(pki.server().keyPair().getPrivate(), pki.server().certificate())
                .sslProvider(SslProvider.JDK).applicationProtocolConfig(h2Only()).build();
    }

    private static SslContext upstreamTls() throws SSLException {
        return SslContextBuilder.forClient().trustManager(TestPki.get().caCertificate())
                .sslProvider(SslProvider.JDK).applicationProtocolConfig(h2Only()).build();
    }

    private static ApplicationProtocolConfig h2Only() {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);
    }

    @Override
    public void close() {
        for (OkHttpClient client : okHttpClients) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
    }
}
