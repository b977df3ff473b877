package dev.sluice.http1;

import dev.sluice.relay.RelayObserver;

/**
 * Reports of the raw relay that carries on a connection after a 101, passed to the observer of the HTTP relay
 * before it, so that its single {@code closed} call counts the bytes relayed before the switch too.
 */
record ContinuedRelayObserver(RelayObserver observer, long bytesUpBefore, long bytesDownBefore)
        implements RelayObserver {
    @Override
    public void bytesUp(long n) {
        observer.bytesUp(n);
    }

    @Override
    public void bytesDown(long n) {
        observer.bytesDown(n);
    }

    @Override
    public void closed(long bytesUp, long bytesDown, String error) {
        observer.closed(bytesUpBefore + bytesUp, bytesDownBefore + bytesDown, error);
    }
}
