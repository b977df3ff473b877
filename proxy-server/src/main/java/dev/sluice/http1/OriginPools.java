package dev.sluice.http1;

import dev.sluice.config.LimitsConfig;
import dev.sluice.config.TimeoutsConfig;
import dev.sluice.upstream.UpstreamConnector;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream connection pools of one Sluice server: one {@link OriginPool} per event loop, made on first
 * use, so that pooled connections are only ever touched by the loop they live on. Create one per server and
 * hand it to every {@link ForwardHandler}.
 */
public final class OriginPools {
    private final UpstreamConnector connector;
    private final int maxIdlePerOrigin;
    private final Duration idleTimeout;
    private final Map<EventLoop, OriginPool> pools = new ConcurrentHashMap<>();

    /**
     * @param limits   {@code maxIdleUpstreamPerOrigin} bounds the idle connections kept per origin and loop
     * @param timeouts {@code idleUpstream} closes an idle pooled connection
     */
    public OriginPools(UpstreamConnector connector, LimitsConfig limits, TimeoutsConfig timeouts) {
        this.connector = connector;
        this.maxIdlePerOrigin = limits.maxIdleUpstreamPerOrigin();
        this.idleTimeout = timeouts.idleUpstream();
    }

    OriginPool forLoop(EventLoop loop) {
        return pools.computeIfAbsent(loop, l -> new OriginPool(l, connector, maxIdlePerOrigin, idleTimeout));
    }
}
