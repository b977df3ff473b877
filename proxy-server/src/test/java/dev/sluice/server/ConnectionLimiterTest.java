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

    @Test
    void admitsUpToTheTotalThenRefusesUntilOneIsReleased() {
        ConnectionLimiter limiter = limiter(2, 256);

        assertThat(limiter.tryAcquire(A)).isNull();
        assertThat(limiter.tryAcquire(B)).isNull();
        assertThat(limiter.tryAcquire(B)).isEqualTo(ConnectionLimiter.Limit.TOTAL);
        limiter.release(A);
        assertThat(limiter.tryAcquire(B)).isNull();
        assertThat(limiter.open()).isEqualTo(2);
    }

    @Test
    void anAddressAtItsLimitIsRefusedWithoutTakingFromTheTotal() {
        ConnectionLimiter limiter = limiter(10, 2);

        assertThat(limiter.tryAcquire(A)).isNull();
        assertThat(limiter.tryAcquire(A)).isNull();
        assertThat(limiter.tryAcquire(A)).isEqualTo(ConnectionLimiter.Limit.PER_CLIENT);
        assertThat(limiter.tryAcquire(B)).isNull();
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void anAddressIsForgottenWhenItsLastConnectionCloses() {
        ConnectionLimiter limiter = limiter(10, 2);
        limiter.tryAcquire(A);
        limiter.tryAcquire(A);

        limiter.release(A);
        assertThat(limiter.clients()).isOne();
        limiter.release(A);
        assertThat(limiter.clients()).isZero();
        assertThat(limiter.open()).isZero();
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
                if (limiter.tryAcquire(client) == null) {
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

    private static ConnectionLimiter limiter(int total, int perClient) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        return new ConnectionLimiter(new LimitsConfig(d.maxRequestLine(), d.maxHeaderBytes(),
                d.maxIdleUpstreamPerOrigin(), total, perClient));
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
