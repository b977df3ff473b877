package dev.sluice.server;

import dev.sluice.front.FrontServices;
import dev.sluice.front.HttpFrontHandler;
import dev.sluice.http1.ForwardHandler;
import dev.sluice.http1.OriginPools;
import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.relay.ClientTimeouts;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Builds an accepted client connection with the services in force when it was accepted ({@link LiveServices}):
 * refuses clients outside {@code access.clients} before reading a byte, answers 503 to one over a connection limit
 * ({@link ConnectionLimitAnswer}), then
 * {@code timeouts -> codec -> front -> forward}, tagged with the decision generation it was accepted with.
 */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final LiveServices live;
    private final OriginPools originPools;
    private final ChannelGroup clients;
    private final ConnectionLimiter limiter = new ConnectionLimiter();

    ProxyChannelInitializer(LiveServices live, OriginPools originPools, ChannelGroup clients) {
        this.live = live;
        this.originPools = originPools;
        this.clients = clients;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        LiveServices.Current current = live.current();
        FrontServices services = current.services();
        InetSocketAddress remote = ch.remoteAddress();
        if (remote == null || !services.policy().clientAllowed(remote.getAddress())) {
            services.metrics().error("client_not_allowed");
            services.accessLog().log(new AccessLogEntry(Instant.now(),
                    remote == null ? null : NetUtil.toSocketAddressString(remote), null, null, null, null,
                    "access.clients", 0, 0, 0, 0, "client_not_allowed"));
            ch.close();
            return;
        }
        InetAddress address = remote.getAddress();
        ConnectionLimiter.Limit reached = limiter.tryAcquire(address, services.limits());
        if (reached != null) {
            refuse(ch, services, remote, reached);
            return;
        }
        ch.closeFuture().addListener(f -> limiter.release(address));
        clients.add(ch);
        services.metrics().connectionOpened(Metrics.KIND_CLIENT);
        ch.closeFuture().addListener(f -> services.metrics().connectionClosed(Metrics.KIND_CLIENT));

        ClientTimeouts timeouts = new ClientTimeouts(services.timeouts().idleClient(), services.timeouts().requestHeader());
        ChannelPipeline p = ch.pipeline();
        p.addLast("timeouts", timeouts);
        p.addLast("codec", new HttpServerCodec(current.decoder()));
        p.addLast("front", new HttpFrontHandler(services, timeouts));
        p.addLast("forward", new ForwardHandler(originPools, services.metrics(), services.accessLog()));
        if (DecisionGenerations.accepted(ch, current.generation(), live.current().generation())) {
            services.metrics().reloadRetired(1);
        }
    }

    private static void refuse(SocketChannel ch, FrontServices services, InetSocketAddress remote,
                               ConnectionLimiter.Limit reached) {
        services.metrics().connectionRefused(reached.tag);
        services.accessLog().log(new AccessLogEntry(Instant.now(), NetUtil.toSocketAddressString(remote), null, null,
                null, null, reached.key, 503, 0, 0, 0, "connection_limit_reached"));
        String detail = reached == ConnectionLimiter.Limit.TOTAL
                ? "Sluice holds its most client connections (" + reached.key + ")"
                : "this client address holds its most connections (" + reached.key + ")";
        ch.pipeline().addLast("encoder", new HttpResponseEncoder());
        ch.pipeline().addLast("limit", new ConnectionLimitAnswer(detail));
    }
}
