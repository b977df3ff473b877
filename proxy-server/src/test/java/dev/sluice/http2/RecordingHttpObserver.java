package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.testing.SluiceFixture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Records what one bridge reports, for a test thread to read. */
final class RecordingHttpObserver implements HttpRelayObserver {
    final List<HttpExchangeRecord> exchanges = new CopyOnWriteArrayList<>();
    final AtomicInteger streamsOpened = new AtomicInteger();
    final AtomicInteger streamsClosed = new AtomicInteger();
    final AtomicLong bytesUp = new AtomicLong();
    final AtomicLong bytesDown = new AtomicLong();
    final AtomicInteger closedCalls = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String closedError;
    private volatile long closedUp;
    private volatile long closedDown;

    @Override
    public void exchanged(HttpExchangeRecord exchange) {
        exchanges.add(exchange);
    }

    @Override
    public void streamOpened() {
        streamsOpened.incrementAndGet();
    }

    @Override
    public void streamClosed() {
        streamsClosed.incrementAndGet();
    }

    @Override
    public void bytesUp(long n) {
        bytesUp.addAndGet(n);
    }

    @Override
    public void bytesDown(long n) {
        bytesDown.addAndGet(n);
    }

    @Override
    public void closed(long bytesUp, long bytesDown, String error) {
        closedUp = bytesUp;
        closedDown = bytesDown;
        closedError = error;
        closedCalls.incrementAndGet();
        closed.countDown();
    }

    /** Waits for {@link #closed}, then checks it came once, after every stream ended, with the byte totals. */
    String awaitClosed() throws InterruptedException {
        assertThat(closed.await(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the bridge reported its end").isTrue();
        assertThat(closedCalls).hasValue(1);
        assertThat(streamsClosed).hasValue(streamsOpened.get());
        assertThat(closedUp).isEqualTo(bytesUp.get());
        assertThat(closedDown).isEqualTo(bytesDown.get());
        return closedError;
    }

    /** Waits until {@code count} exchanges were reported. */
    List<HttpExchangeRecord> awaitExchanges(int count) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        while (exchanges.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(exchanges).as("exchanges reported").hasSizeGreaterThanOrEqualTo(count);
        return exchanges;
    }
}
