package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps everything an HTTP relay (HTTP/1.1 or the HTTP/2 bridge) reports about one connection, for a test on any
 * thread to wait for and assert on.
 */
public final class RecordingHttpObserver implements HttpRelayObserver {
    /** Every exchange reported so far, in order. */
    public final List<HttpExchangeRecord> exchanges = new CopyOnWriteArrayList<>();
    /** The kind of each HTTP/2 abuse by the client reported, in order. */
    public final List<String> h2Abuses = new CopyOnWriteArrayList<>();
    /** The kind of each HTTP/2 abuse by the upstream reported, in order. */
    public final List<String> upstreamH2Abuses = new CopyOnWriteArrayList<>();
    /** The reason of each refused HTTP/2 client stream reported, in order. */
    public final List<String> refusedStreams = new CopyOnWriteArrayList<>();
    public final AtomicInteger streamsOpened = new AtomicInteger();
    public final AtomicInteger streamsClosed = new AtomicInteger();
    public final AtomicLong bytesUp = new AtomicLong();
    public final AtomicLong bytesDown = new AtomicLong();
    public final AtomicInteger closedCalls = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long closedUp;
    private volatile long closedDown;
    private volatile String closedError;
    /** How many exchanges {@link #take} has handed out (the test thread's cursor). */
    private int taken;

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
    public void h2Abuse(String leg, String kind) {
        (leg.equals("client") ? h2Abuses : upstreamH2Abuses).add(kind);
    }

    @Override
    public void h2StreamRefused(String reason) {
        refusedStreams.add(reason);
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

    /** The next exchange not yet taken, waiting for it. */
    public HttpExchangeRecord take() throws InterruptedException {
        return awaitExchanges(++taken).get(taken - 1);
    }

    /** Waits until {@code count} exchanges were reported. */
    public List<HttpExchangeRecord> awaitExchanges(int count) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        while (exchanges.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(exchanges).as("exchanges reported within " + SluiceFixture.PATIENCE)
                .hasSizeGreaterThanOrEqualTo(count);
        return exchanges;
    }

    /**
     * Waits for {@link #closed}, then checks it came once, after every stream ended, with the byte totals reported
     * along the way; returns its error.
     */
    public String awaitClosed() throws InterruptedException {
        assertThat(closed.await(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("the relay reported closed").isTrue();
        assertThat(closedCalls).hasValue(1);
        assertThat(streamsClosed).hasValue(streamsOpened.get());
        assertThat(closedUp).isEqualTo(bytesUp.get());
        assertThat(closedDown).isEqualTo(bytesDown.get());
        return closedError;
    }

    public long closedUp() {
        return closedUp;
    }

    public long closedDown() {
        return closedDown;
    }
}
