package dev.sluice.bench;

import java.util.stream.LongStream;

/** Made-up measurement windows for the unary report tests. */
final class UnaryWindows {
    static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private UnaryWindows() {
    }

    /** {@code completions} in 10 s, with latencies of 1..100 × {@code step}. */
    static UnaryWindow window(long completions, long step) {
        return new UnaryWindow(completions, 10 * SECOND, LongStream.rangeClosed(1, 100).map(i -> i * step).toArray());
    }
}
