package dev.sluice.bench;

import java.util.List;

/** Order statistics of measured samples. */
final class Samples {
    private Samples() {
    }

    /** The middle value of an ascending list; the mean of the two middle ones when the count is even. */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double best(List<Double> sorted) {
        return sorted.get(sorted.size() - 1);
    }

    /**
     * The nearest-rank percentile of an ascending array: the smallest sample with at least {@code fraction} of
     * all samples at or below it ({@code 0.99} for p99).
     */
    static long percentile(long[] sorted, double fraction) {
        if (sorted.length == 0) throw new IllegalArgumentException("no samples");
        if (fraction <= 0 || fraction > 1) throw new IllegalArgumentException("fraction must be in (0, 1]: " + fraction);
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[rank - 1];
    }
}
