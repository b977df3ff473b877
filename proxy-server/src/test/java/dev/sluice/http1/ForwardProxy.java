package dev.sluice.http1;

import dev.sluice.config.LimitsConfig;
import dev.sluice.config.TimeoutsConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.testing.OkHttpClients;
import dev.sluice.testing.RecordingAccessLog;
import dev.sluice.testing.SluiceFixture;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * A forwarding proxy without the rest of Sluice, on an ephemeral loopback port: {@code HttpServerCodec}, the
 * test front door and the {@link ForwardHandler} under test, on one event loop (so one origin pool), with a
 * connector straight to 127.0.0.1, real metrics and a recording access log.
 */
final class ForwardProxy implements AutoCloseable {
    static final Duration PATIENCE = SluiceFixture.PATIENCE;

    final LoopbackConnector connector = new LoopbackConnector();
    final Metrics metrics = Metrics.create();
    final RecordingAccessLog accessLog = new RecordingAccessLog();
    /** The proxy's side of every accepted client connection. */
    final Queue<Channel> clientChannels = new ConcurrentLinkedQueue<>();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final OkHttpClients okHttpClients = new OkHttpClients();
    private final Channel server;

    private ForwardProxy(LimitsConfig limits, TimeoutsConfig timeouts) throws InterruptedException {
        OriginPools pools = new OriginPools(connector, limits, timeouts);
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        clientChannels.add(channel);
                        channel.pipeline().addLast(new HttpServerCodec(), new AbsoluteFormFront(),
                                new ForwardHandler(pools, metrics, accessLog));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    static ForwardProxy start() throws InterruptedException {
        return start(LimitsConfig.DEFAULTS, TimeoutsConfig.DEFAULTS);
    }

    static ForwardProxy start(LimitsConfig limits, TimeoutsConfig timeouts) throws InterruptedException {
        return new ForwardProxy(limits, timeouts);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    HttpClient jdkClient() {
        return HttpClient.newBuilder().proxy(ProxySelector.of(address())).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(PATIENCE).build();
    }

    /** OkHttp through the proxy. */
    OkHttpClient okHttp() {
        return okHttpClients.create(builder -> builder.proxy(new Proxy(Proxy.Type.HTTP, address())));
    }

    RawClient raw() throws java.io.IOException {
        return new RawClient(address());
    }

    /** The proxy's side of the first client connection, once accepted. */
    Channel firstClientChannel() throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (clientChannels.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Channel channel = clientChannels.peek();
        if (channel == null) {
            throw new AssertionError("no client connection accepted within " + PATIENCE);
        }
        return channel;
    }

    double requests(String method, int status) {
        Counter counter = metrics.registry().find(Metrics.HTTP_REQUESTS)
                .tags("method", method, "status", Integer.toString(status)).counter();
        return counter == null ? 0 : counter.count();
    }

    double errors(String reason) {
        Counter counter = metrics.registry().find(Metrics.ERRORS).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    double activeForwards() {
        Gauge gauge = metrics.registry().find(Metrics.CONNECTIONS_ACTIVE).tag("kind", Metrics.KIND_FORWARD).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    @Override
    public void close() {
        okHttpClients.close();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
    }
}
