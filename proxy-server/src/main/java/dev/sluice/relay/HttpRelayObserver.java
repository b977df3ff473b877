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

    /** The bumped HTTP/2 client connection is being closed with a GOAWAY error for {@code kind} of abuse. */
    void h2Abuse(String kind);
}
