package dev.sluice.front;

import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.relay.RelayObserver;
import dev.sluice.relay.TcpRelay;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted CONNECT: connects upstream on the client's event loop, then answers
 * {@code 200 Connection established}, strips the client pipeline down to the relay and splices. A failed
 * upstream gets the status its {@link UpstreamFailure} names. Writes the tunnel's access-log line when it closes.
 */
final class ConnectTunnel implements RelayObserver {
    private static final Logger log = LoggerFactory.getLogger(ConnectTunnel.class);
    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    /** The upstream pipeline stays empty until the relay is installed, so nothing reads before the 200. */
    private static final ChannelInitializer<Channel> NOTHING_YET = new ChannelInitializer<>() {
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
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED, Unpooled.EMPTY_BUFFER));
        services.countAnswer(exchange, ESTABLISHED.code());
        services.metrics().connectionOpened(Metrics.KIND_TUNNEL);
        List<ByteBuf> early = front.takeEarlyBytes();
        // The 200 is already encoded; from here on the client pipeline holds nothing but the relay.
        ChannelPipeline pipeline = client.pipeline();
        for (String name : new ArrayList<>(pipeline.names())) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
        TcpRelay.start(client, upstream, services.timeouts().idleTunnel(), early, this);
    }

    private void failed(Throwable cause) {
        UpstreamFailure failure = cause instanceof UpstreamException upstream ? upstream.failure()
                : UpstreamFailure.CONNECT_ERROR;
        if (!(cause instanceof UpstreamException)) {
            log.warn("CONNECT {} failed unexpectedly", target, cause);
        } else {
            log.debug("CONNECT {}: {}", target, cause.getMessage());
        }
        front.refuseConnect(exchange, decision, HttpResponseStatus.valueOf(failure.status()),
                failure.proxyStatusError(), String.valueOf(cause.getMessage()), failure.metricReason());
    }

    @Override
    public void bytesUp(long n) {
        services.metrics().bytesUpstream(n);
    }

    @Override
    public void bytesDown(long n) {
        services.metrics().bytesDownstream(n);
    }

    @Override
    public void closed(long bytesUp, long bytesDown, String error) {
        services.metrics().connectionClosed(Metrics.KIND_TUNNEL);
        services.finish(exchange, ESTABLISHED.code(), decision, error, bytesUp, bytesDown);
    }
}
