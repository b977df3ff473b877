package dev.sluice.http1;

import dev.sluice.config.Action;
import dev.sluice.policy.Decision;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Test-only stand-in for the front door: reads the first request, takes every request to be an allowed
 * absolute-form {@code http://} request and fires it as a {@link ForwardRequest}, passing its contents on.
 * Like the real front door it leaves reads to {@link ForwardHandler} once a request is forwarded.
 */
final class AbsoluteFormFront extends ChannelInboundHandlerAdapter {
    static final Decision DECISION = new Decision(Action.SPLICE, "test-rule", "allowed by the test", List.of());

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            URI uri = URI.create(request.uri());
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            ctx.fireChannelRead(new ForwardRequest(request, uri.getHost(), port, DECISION, "tester", Instant.now()));
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
