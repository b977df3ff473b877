package dev.sluice.testing;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples {@link ResourceBaseline#directMemory()} every few milliseconds on its own thread and keeps the highest
 * value seen, for asserting that a transfer never made Sluice buffer more than a bound.
 */
public final class DirectMemorySampler implements AutoCloseable {
    private final AtomicLong max = new AtomicLong(ResourceBaseline.directMemory());
    private final Thread thread;
    private volatile boolean running = true;

    public DirectMemorySampler() {
        thread = new Thread(this::sample, "direct-memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** The highest Netty direct memory seen since the sampler started, in bytes. */
    public long max() {
        return max.get();
    }

    private void sample() {
        while (running) {
            max.accumulateAndGet(ResourceBaseline.directMemory(), Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }
}
