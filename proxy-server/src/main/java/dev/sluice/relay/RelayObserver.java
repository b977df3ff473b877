package dev.sluice.relay;

/**
 * What a {@link TcpRelay} reports. Called on the relay's event loop; implementations must not block.
 */
public interface RelayObserver {
    /** Bytes read from the client and handed to the upstream. */
    void bytesUp(long n);

    /** Bytes read from the upstream and handed to the client. */
    void bytesDown(long n);

    /**
     * Called once, after both channels have closed.
     *
     * @param error null when both directions ended with a FIN, else {@code client_reset}, {@code upstream_reset},
     *              {@code idle_timeout} or {@code relay_error}
     */
    void closed(long bytesUp, long bytesDown, String error);
}
