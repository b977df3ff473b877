package dev.sluice.config;

import java.time.Duration;

/**
 * YAML durations are written {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}.
 *
 * @param connect        upstream TCP connect (exceeded: 504)
 * @param requestHeader  reading a client's request line and headers (slowloris guard; exceeded: 408 and close)
 * @param idleTunnel     a spliced tunnel with no bytes either way is closed
 * @param idleClient     a keep-alive client connection between requests is closed
 * @param idleUpstream   an upstream HTTP/1.1 connection silent this long is closed: unused in the pool, or while a
 *                       forwarded exchange waits on it (504 before the response head, the client cut off after)
 * @param tlsHandshake   a bump, from the CONNECT {@code 200} until both TLS handshakes are done: the client's
 *                       ClientHello, the upstream handshake, minting and the client handshake (exceeded: closed)
 * @param drain          on SIGTERM, how long open connections may take to finish before they are closed
 */
public record TimeoutsConfig(Duration connect, Duration requestHeader, Duration idleTunnel, Duration idleClient,
                             Duration idleUpstream, Duration tlsHandshake, Duration drain) {
    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofMinutes(2),
            Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(20));
}
