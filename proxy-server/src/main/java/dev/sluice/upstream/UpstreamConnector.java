package dev.sluice.upstream;

import dev.sluice.policy.Decision;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * Resolves (hosts: overrides first, then async DNS), applies the destination guard to the resolved address,
 * and connects on the <em>caller's</em> event loop with TCP_NODELAY, AUTO_READ off and the connect timeout.
 * The returned future fails with {@link UpstreamException}.
 */
public interface UpstreamConnector {
    Future<Channel> connect(EventLoop loop, String host, int port, Decision decision,
                            ChannelInitializer<Channel> initializer);
}
