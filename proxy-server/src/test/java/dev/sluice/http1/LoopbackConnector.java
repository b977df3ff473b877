package dev.sluice.http1;

import dev.sluice.policy.Decision;
import dev.sluice.upstream.UpstreamConnector;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test {@link UpstreamConnector}: connects straight to 127.0.0.1 on the caller's loop with the options the real
 * connector uses (AUTO_READ off, TCP_NODELAY, half-closure allowed) and counts the connections it makes.
 */
final class LoopbackConnector implements UpstreamConnector {
    private final AtomicInteger connects = new AtomicInteger();

    int connects() {
        return connects.get();
    }

    @Override
    public Future<Channel> connect(EventLoop loop, String host, int port, Decision decision,
                                   ChannelInitializer<Channel> initializer) {
        connects.incrementAndGet();
        Promise<Channel> result = loop.newPromise();
        ChannelFuture connected = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(initializer)
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        connected.addListener(done -> {
            if (done.isSuccess()) {
                result.setSuccess(connected.channel());
            } else {
                result.setFailure(new UpstreamException(UpstreamFailure.CONNECT_REFUSED,
                        "127.0.0.1:" + port + " refused the connection", done.cause()));
            }
        });
        return result;
    }
}
