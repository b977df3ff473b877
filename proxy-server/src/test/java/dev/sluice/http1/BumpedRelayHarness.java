package dev.sluice.http1;

import dev.sluice.relay.TcpRelay;
import dev.sluice.testing.SluiceFixture;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bumped connection without TLS: a server on an ephemeral loopback port (child options as in
 * {@code SluiceServer}) that connects each accepted client to one origin on the same event loop and hands the
 * pair to {@link BumpedHttp1Relay}, as the bump does after both handshakes. Clients talk to it as to the origin.
 */
final class BumpedRelayHarness implements AutoCloseable {
    static final Duration PATIENCE = SluiceFixture.PATIENCE;

    /** One per accepted client connection, in order. */
    final BlockingQueue<RecordingHttpObserver> observers = new LinkedBlockingQueue<>();
    /** The harness's side of every client connection, in order. */
    final BlockingQueue<Channel> clientChannels = new LinkedBlockingQueue<>();
    final BlockingQueue<Channel> upstreamChannels = new LinkedBlockingQueue<>();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    BumpedRelayHarness(int originPort, Duration idleTimeout) throws InterruptedException {
        InetSocketAddress origin = new InetSocketAddress(InetAddress.getLoopbackAddress(), originPort);
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
                        clientChannels.add(client);
                        connect(client, origin, idleTimeout);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    private void connect(Channel client, InetSocketAddress origin, Duration idleTimeout) {
        ChannelFuture connected = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpRelay.WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel upstream) {
                        // nothing: the relay installs what it needs
                    }
                })
                .connect(origin);
        connected.addListener(done -> {
            if (!done.isSuccess()) {
                client.close();
                return;
            }
            Channel upstream = connected.channel();
            upstreamChannels.add(upstream);
            RecordingHttpObserver observer = new RecordingHttpObserver();
            observers.add(observer);
            BumpedHttp1Relay.start(client, upstream, idleTimeout, observer);
        });
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    String url(String path) {
        return "http://127.0.0.1:" + address().getPort() + path;
    }

    /** The observer of the next client connection, once the harness has paired it. */
    RecordingHttpObserver observer() throws InterruptedException {
        return poll(observers, "a paired connection");
    }

    Channel clientChannel() throws InterruptedException {
        return poll(clientChannels, "an accepted client connection");
    }

    private static <T> T poll(BlockingQueue<T> queue, String what) throws InterruptedException {
        T next = queue.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no " + what + " within " + PATIENCE);
        }
        return next;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
    }
}
