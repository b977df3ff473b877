package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.testing.SluiceFixture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps everything a relay reports about one connection, for tests on any thread to wait for and assert on. */
final class RecordingHttpObserver implements HttpRelayObserver {
    final BlockingQueue<HttpExchangeRecord> exchanges = new LinkedBlockingQueue<>();
    final AtomicLong bytesUp = new AtomicLong();
    final AtomicLong bytesDown = new AtomicLong();
    final AtomicInteger closedCalls = new AtomicInteger();
    final AtomicInteger streamCalls = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long closedUp;
    private volatile long closedDown;
    private volatile String closedError;

    @Override
    public void exchanged(HttpExchangeRecord exchange) {
        exchanges.add(exchange);
    }

    @Override
    public void streamOpened() {
        streamCalls.incrementAndGet();
    }

    @Override
    public void streamClosed() {
        streamCalls.incrementAndGet();
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
    public void closed(long up, long down, String error) {
        closedUp = up;
        closedDown = down;
        closedError = error;
        closedCalls.incrementAndGet();
        closed.countDown();
    }

    /** The next exchange reported, waiting for it. */
    HttpExchangeRecord take() throws InterruptedException {
        HttpExchangeRecord exchange = exchanges.poll(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exchange).as("an exchange reported within " + SluiceFixture.PATIENCE).isNotNull();
        return exchange;
    }

    /** Waits for {@link #closed} and returns its error. */
    String awaitClosed() throws InterruptedException {
        assertThat(closed.await(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("the relay reported closed").isTrue();
        return closedError;
    }

    long closedUp() {
        return closedUp;
    }

    long closedDown() {
        return closedDown;
    }
}
