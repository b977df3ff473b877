package dev.sluice.http1;

import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.relay.TcpRelay;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;

/**
 * Relays HTTP/1.1 requests of a bumped connection to its upstream connection, one exchange at a time.
 * CONTRACT STUB: relays the decrypted bytes as they are until the HTTP/1.1 relay replaces it.
 */
public final class BumpedHttp1Relay {
    private BumpedHttp1Relay() {
    }

    /**
     * Takes over both channels. Preconditions: both run on the caller's event loop, AUTO_READ off, TLS handshakes
     * completed (ALPN {@code http/1.1} or none), the {@code SslHandler} the only handler left in each pipeline,
     * nothing read yet past the handshakes. Closes both channels when done and then calls
     * {@link HttpRelayObserver#closed} once.
     *
     * @param idleTimeout the pair is closed after this long with no request in flight
     */
    public static void start(Channel client, Channel upstream, Duration idleTimeout, HttpRelayObserver observer) {
        TcpRelay.start(client, upstream, idleTimeout, List.of(), observer);
    }
}
