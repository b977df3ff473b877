package dev.sluice.front;

import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.relay.TcpRelay;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted CONNECT: connects upstream on the client's event loop, then answers
 * {@code 200 Connection established}, strips the client pipeline down to the relay and splices. A failed
 * upstream gets the status its {@link UpstreamFailure} names. Writes the tunnel's access-log line when it closes.
 */
final class ConnectTunnel {
    private static final Logger log = LoggerFactory.getLogger(ConnectTunnel.class);

    /** The upstream pipeline stays empty until the relay is installed, so nothing reads before the 200. */
    static final ChannelInitializer<Channel> NOTHING_YET = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    };

    private final FrontServices services;
    private final HttpFrontHandler front;
    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final Authority target;
    private final Decision decision;

    ConnectTunnel(FrontServices services, HttpFrontHandler front, ChannelHandlerContext ctx, Exchange exchange,
                  Authority target, Decision decision) {
        this.services = services;
        this.front = front;
        this.ctx = ctx;
        this.exchange = exchange;
        this.target = target;
        this.decision = decision;
    }

    void open() {
        Channel client = ctx.channel();
        if (!client.isActive()) {
            services.finish(exchange, 0, decision, "client_closed", 0, 0);
            return;
        }
        Future<Channel> connect =
                services.connector().connect(client.eventLoop(), target.host(), target.port(), decision, NOTHING_YET);
        connect.addListener(done -> connected(connect));
    }

    private void connected(Future<Channel> connect) {
        Channel client = ctx.channel();
        if (!connect.isSuccess()) {
            failed(connect.cause());
            return;
        }
        Channel upstream = connect.getNow();
        if (!client.isActive() || ctx.isRemoved()) {
            upstream.close();
            services.finish(exchange, 0, decision, "client_closed", 0, 0);
            return;
        }
        List<ByteBuf> early = front.takeEarlyBytes();
        TunnelStart.answerAndStrip(ctx, services, exchange);
        services.metrics().connectionOpened(Metrics.KIND_TUNNEL);
        TcpRelay.start(client, upstream, services.timeouts().idleTunnel(), early,
                new TunnelObserver(services, exchange, decision, Metrics.KIND_TUNNEL, null, null));
    }

    private void failed(Throwable cause) {
        UpstreamFailure failure = UpstreamFailure.of(cause);
        if (!(cause instanceof UpstreamException)) {
            log.warn("CONNECT {} failed unexpectedly", target, cause);
        } else {
            log.debug("CONNECT {}: {}", target, cause.getMessage());
        }
        front.refuseConnect(exchange, decision, HttpResponseStatus.valueOf(failure.status()),
                failure.proxyStatusError(), String.valueOf(cause.getMessage()), failure.metricReason());
    }
}
