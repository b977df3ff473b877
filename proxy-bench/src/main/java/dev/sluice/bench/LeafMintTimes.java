package dev.sluice.bench;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Sluice's own account of its leaf mints, from the {@code sluice_leaf_mint_seconds}
 * timer on {@code /metrics}: how many, and their mean duration.
 */
record LeafMintTimes(long mints, double meanMillis) {
    static final String METRIC = "sluice_leaf_mint_seconds";

    /** The timer's figures in a scrape, or empty when it is not there or has counted nothing. */
    static Optional<LeafMintTimes> in(String exposition) {
        OptionalDouble count = PrometheusText.sum(exposition, METRIC + "_count", null, null);
        OptionalDouble seconds = PrometheusText.sum(exposition, METRIC + "_sum", null, null);
        if (count.isEmpty() || seconds.isEmpty() || count.getAsDouble() < 1) return Optional.empty();
        return Optional.of(new LeafMintTimes((long) count.getAsDouble(), seconds.getAsDouble() * 1000 / count.getAsDouble()));
    }
}
