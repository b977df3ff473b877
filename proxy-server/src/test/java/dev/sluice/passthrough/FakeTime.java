package dev.sluice.passthrough;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** One hand-moved time for both what entries expire by (a ticker) and what listings show (a clock). */
final class FakeTime extends Clock implements Ticker {
    static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    private long elapsedNanos;

    void advance(Duration duration) {
        elapsedNanos += duration.toNanos();
    }

    @Override
    public long read() {
        return elapsedNanos;
    }

    @Override
    public Instant instant() {
        return START.plusNanos(elapsedNanos);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("always UTC");
    }
}
