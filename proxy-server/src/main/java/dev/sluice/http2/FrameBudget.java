package dev.sluice.http2;

import java.time.Duration;

/**
 * How many of one kind of frame a peer may make Sluice handle per window, as Netty counts RST_STREAM frames for
 * {@code limits.h2.maxResetsPerWindow}: the count starts over once a window has passed since it started.
 * One per connection, on its event loop.
 */
final class FrameBudget {
    private final int max;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int count;

    FrameBudget(int max, Duration window) {
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    /** Counts one frame; true for the one that passes the budget (and only it), so the peer is ended once. */
    boolean passesLimit() {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            count = 0;
        }
        return ++count == max + 1;
    }
}
