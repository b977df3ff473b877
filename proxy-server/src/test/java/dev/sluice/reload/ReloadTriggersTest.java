package dev.sluice.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ReloadConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How reloads asked for while one runs are queued. */
class ReloadTriggersTest {
    private static final String CONFIG = "listen: 127.0.0.1:3128\n";

    @TempDir
    Path dir;
    private final Metrics metrics = Metrics.create();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private Path file;

    @BeforeEach
    void writeConfig() throws Exception {
        file = dir.resolve("sluice.yaml");
        Files.writeString(file, CONFIG);
    }

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void requestsWhileOneRunsShareOneQueuedReloadSoTheQueueNeverGrows() throws Exception {
        AtomicInteger applied = new AtomicInteger();
        try (ReloadTriggers triggers = triggers(blocking(applied))) {
            CompletableFuture<ReloadOutcome> running = triggers.reload("first");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            // e.g. POST /reload pipelined many times on the admin listener while a reload runs
            CompletableFuture<ReloadOutcome> second = triggers.reload("second");
            for (int i = 0; i < 1000; i++) {
                assertThat(triggers.reload("more")).isSameAs(second);
            }
            release.countDown();

            assertThat(running.get(10, TimeUnit.SECONDS).applied()).isTrue();
            assertThat(second.get(10, TimeUnit.SECONDS).applied()).isTrue();
            assertThat(applied).hasValue(2);
            // Once the queued one has started, a new request queues a new reload (the files may change again).
            assertThat(triggers.reload("after").get(10, TimeUnit.SECONDS).applied()).isTrue();
            assertThat(applied).hasValue(3);
        }
    }

    @Test
    void aQueuedReloadDroppedByStoppingFailsSoWhoeverWaitsOnItHearsAtOnce() throws Exception {
        ReloadTriggers triggers = triggers(blocking(new AtomicInteger()));
        try {
            triggers.reload("running");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<ReloadOutcome> queued = triggers.reload("queued");

            triggers.close();

            assertThat(queued).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                    .withMessageContaining("Sluice is stopping");
        } finally {
            release.countDown();
            triggers.close();
        }
    }

    private ReloadTriggers triggers(ConfigReloader.Target target) throws Exception {
        SluiceConfig started = ConfigLoader.parse(CONFIG, file.toString());
        return ReloadTriggers.start(new ConfigReloader(file, UnaryOperator.identity(), target, metrics, started, null),
                new ReloadConfig(false, Duration.ofSeconds(2)), false);
    }

    /** A target that counts its applies and holds each until {@code release}. */
    private ConfigReloader.Target blocking(AtomicInteger applied) {
        return (config, ca) -> {
            applied.incrementAndGet();
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
