package dev.sluice.testing;

import dev.sluice.relay.TcpRelay;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A server on an ephemeral loopback port that, like Sluice before it starts a relay, connects each accepted client
 * to a loopback target on the client's own event loop and hands both channels to a callback: AUTO_READ off, the
 * channel options of {@code SluiceServer} and {@code DefaultUpstreamConnector}, empty pipelines. A client whose
 * upstream connection fails is closed.
 */
public final class LoopbackPairServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress target;
    private final BiConsumer<Channel, Channel> paired;
    private final Channel server;

    /** @param paired called on the pair's event loop with the client and upstream channels, both active */
    public LoopbackPairServer(int targetPort, BiConsumer<Channel, Channel> paired) throws InterruptedException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.paired = paired;
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
                        connectUpstream(client);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    private void connectUpstream(Channel client) {
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
                        // nothing: whatever the callback starts installs what it needs
                    }
                })
                .connect(target);
        connected.addListener(done -> {
            if (done.isSuccess()) {
                paired.accept(client, connected.channel());
            } else {
                client.close();
            }
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** An http:// URL of {@code path} on this server, by its IP address. */
    public String url(String path) {
        return "http://127.0.0.1:" + address().getPort() + path;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS).syncUninterruptibly();
    }
}
