package dev.sluice.server;

import dev.sluice.config.HostPort;
import dev.sluice.observe.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.function.BooleanSupplier;

/** The admin listener: {@code /metrics}, {@code /healthz}, {@code /readyz} over plain HTTP/1.1. */
public final class AdminServer {
    private AdminServer() {
    }

    /** Binds and returns the server channel (its localAddress gives the real port when port 0 was asked). */
    public static Channel bind(EventLoopGroup group, HostPort address, Metrics metrics, BooleanSupplier ready)
            throws InterruptedException {
        throw new UnsupportedOperationException("implemented in observe branch");
    }
}
