package dev.sluice.http2;

import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.relay.TcpRelay;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;

/**
 * Bridges a bumped HTTP/2 client connection to its HTTP/2 upstream connection, stream by stream.
 * CONTRACT STUB: relays the decrypted bytes as they are until the stream bridge replaces it.
 */
public final class H2Bridge {
    private H2Bridge() {
    }

    /**
     * Takes over both channels. Preconditions: both run on the caller's event loop, AUTO_READ off, TLS handshakes
     * completed with {@code h2} (or {@code grpc-exp}) negotiated on both, the {@code SslHandler} the only handler
     * left in each pipeline, nothing read yet past the handshakes. The bridge closes both channels when done and
     * then calls {@link HttpRelayObserver#closed} once.
     *
     * @param idleTimeout the pair is closed after this long without any open stream
     */
    public static void start(Channel client, Channel upstream, Duration idleTimeout, HttpRelayObserver observer) {
        TcpRelay.start(client, upstream, idleTimeout, List.of(), observer);
    }
}
