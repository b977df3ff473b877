package dev.sluice.relay;

/**
 * What the HTTP relays of a bumped connection report: every request, every bridged HTTP/2 stream, and (as a
 * {@link RelayObserver}) the bytes and the end of the connection. Called on the connection's event loop;
 * implementations must not block.
 */
public interface HttpRelayObserver extends RelayObserver {
    /** One request ended: answered, reset or failed. Called once per request. */
    void exchanged(HttpExchangeRecord exchange);

    /** An HTTP/2 stream started being bridged. */
    void streamOpened();

    /** A stream {@link #streamOpened} reported has ended, however it ended. */
    void streamClosed();

    /**
     * One leg's HTTP/2 connection is being closed with a GOAWAY error for {@code kind} of abuse by its peer.
     *
     * @param leg {@code client} or {@code upstream}
     */
    void h2Abuse(String leg, String kind);

    /**
     * Sluice refused an HTTP/2 client stream: {@code refused_stream} (RST_STREAM REFUSED_STREAM, the client may
     * retry) or {@code header_list_size} (431).
     */
    void h2StreamRefused(String reason);
}
