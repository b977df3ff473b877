package dev.sluice.http2;

import dev.sluice.relay.HttpRelayObserver;
import io.netty.channel.Channel;

/**
 * Bridges a bumped HTTP/2 client connection to its HTTP/2 upstream connection, stream by stream: each client stream
 * is relayed, frame by frame as it arrives, to a stream of its own on the upstream connection (see
 * {@link ConnectionPair}, {@link StreamBridge}, {@link StreamLeg}).
 */
public final class H2Bridge {
    private H2Bridge() {
    }

    /**
     * Takes over both channels. Preconditions: both run on the caller's event loop, AUTO_READ off, TLS handshakes
     * completed with {@code h2} (or {@code grpc-exp}) negotiated on both, the {@code SslHandler} the only handler
     * left in each pipeline (followed, optionally, by an {@link EarlyBytes} holding what it decoded past the
     * handshake), nothing else read yet. The bridge closes both channels when done and
     * then calls {@link HttpRelayObserver#closed} once.
     */
    public static void start(Channel client, Channel upstream, BridgeSettings settings, HttpRelayObserver observer) {
        if (!client.eventLoop().inEventLoop() || !upstream.eventLoop().inEventLoop()) {
            throw new IllegalStateException("both legs of a bridge must run on the caller's event loop");
        }
        new ConnectionPair(client, upstream, settings, observer).start();
    }
}
