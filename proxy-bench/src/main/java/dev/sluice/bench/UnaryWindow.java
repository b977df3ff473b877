package dev.sluice.bench;

/**
 * What one measurement window of unary calls saw.
 *
 * @param completions  calls that ended inside the window
 * @param windowNanos  the window's length
 * @param latencyNanos ascending latencies of the calls that both started and ended inside the window
 */
record UnaryWindow(long completions, long windowNanos, long[] latencyNanos) {
    double callsPerSecond() {
        return completions / (windowNanos / 1e9);
    }
}
