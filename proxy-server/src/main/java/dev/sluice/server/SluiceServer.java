package dev.sluice.server;

import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import java.net.InetSocketAddress;

/** Binds the proxy and admin listeners on one NIO event loop group; {@link #close()} drains and stops. */
public final class SluiceServer implements AutoCloseable {
    public static SluiceServer start(SluiceConfig config, Metrics metrics, AccessLog accessLog)
            throws InterruptedException {
        throw new UnsupportedOperationException("implemented in core branch");
    }

    public InetSocketAddress proxyAddress() {
        throw new UnsupportedOperationException();
    }

    public InetSocketAddress adminAddress() {
        throw new UnsupportedOperationException();
    }

    public Metrics metrics() {
        throw new UnsupportedOperationException();
    }

    /** Blocks until {@link #close()} has completed. */
    public void awaitTermination() throws InterruptedException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }
}
