package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.LimitsConfig;
import dev.sluice.testing.Concurrently;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
    private static final InetAddress A = address(10, 0, 0, 1);
    private static final InetAddress B = address(10, 0, 0, 2);
    private LimitsConfig limits;

    @Test
    void admitsUpToTheTotalThenRefusesUntilOneIsReleased() {
        ConnectionLimiter limiter = limiter(2, 256);

        assertThat(limiter.tryAcquire(A, limits)).isNull();
        assertThat(limiter.tryAcquire(B, limits)).isNull();
        assertThat(limiter.tryAcquire(B, limits)).isEqualTo(ConnectionLimiter.Limit.TOTAL);
        limiter.release(A);
        assertThat(limiter.tryAcquire(B, limits)).isNull();
        assertThat(limiter.open()).isEqualTo(2);
    }

    @Test
    void anAddressAtItsLimitIsRefusedWithoutTakingFromTheTotal() {
        ConnectionLimiter limiter = limiter(10, 2);

        assertThat(limiter.tryAcquire(A, limits)).isNull();
        assertThat(limiter.tryAcquire(A, limits)).isNull();
        assertThat(limiter.tryAcquire(A, limits)).isEqualTo(ConnectionLimiter.Limit.PER_CLIENT);
        assertThat(limiter.tryAcquire(B, limits)).isNull();
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void anAddressIsForgottenWhenItsLastConnectionCloses() {
        ConnectionLimiter limiter = limiter(10, 2);
        limiter.tryAcquire(A, limits);
        limiter.tryAcquire(A, limits);

        limiter.release(A);
        assertThat(limiter.clients()).isOne();
        limiter.release(A);
        assertThat(limiter.clients()).isZero();
        assertThat(limiter.open()).isZero();
    }

    @Test
    void lowerLimitsFromAReloadCountTheConnectionsAlreadyOpen() {
        ConnectionLimiter limiter = limiter(10, 10);
        limiter.tryAcquire(A, limits);
        limiter.tryAcquire(A, limits);
        limiter.tryAcquire(B, limits);

        assertThat(limiter.tryAcquire(A, limits(10, 2))).isEqualTo(ConnectionLimiter.Limit.PER_CLIENT);
        assertThat(limiter.tryAcquire(B, limits(3, 10))).isEqualTo(ConnectionLimiter.Limit.TOTAL);
        assertThat(limiter.tryAcquire(B, limits(4, 2))).isNull();
        assertThat(limiter.open()).isEqualTo(4);
    }

    @Test
    void countsStayExactWhenManyThreadsAcquireAndReleaseAtOnce() throws Exception {
        ConnectionLimiter limiter = limiter(5, 3);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();

        Concurrently.run(8, thread -> {
            InetAddress client = address(10, 0, 0, thread % 3);
            for (int i = 0; i < 20_000; i++) {
                if (limiter.tryAcquire(client, limits) == null) {
                    admitted.incrementAndGet();
                    mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                    held.decrementAndGet();
                    limiter.release(client);
                }
            }
        });

        assertThat(admitted.get()).isPositive();
        assertThat(mostHeld.get()).isLessThanOrEqualTo(5);
        assertThat(limiter.open()).isZero();
        assertThat(limiter.clients()).isZero();
    }

    /** Sets the limits the connections that follow come with (as a reload would) and returns a new limiter. */
    private ConnectionLimiter limiter(int total, int perClient) {
        limits = limits(total, perClient);
        return new ConnectionLimiter();
    }

    private static LimitsConfig limits(int total, int perClient) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        return new LimitsConfig(d.maxRequestLine(), d.maxHeaderBytes(), d.maxIdleUpstreamPerOrigin(), total, perClient);
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
