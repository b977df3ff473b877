package dev.sluice.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The body clock: a client is blamed for a silent body only while Sluice is asking it for bytes. */
class ClientTimeoutsTest {
    private static final Duration IDLE = Duration.ofMillis(100);

    private final ClientTimeouts timeouts = new ClientTimeouts(IDLE, Duration.ofSeconds(30));
    private final EmbeddedChannel channel = channel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodySilentWhileSluiceReadsIsTheClientsAndClosesTheConnection() throws Exception {
        timeouts.readingBody();
        channel.read();

        waitPastTheIdleTime();

        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodySilentWhileSluiceHoldsReadsBackIsNotTheClients() throws Exception {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'x'}));
        timeouts.readingBody();
        // No read asked for: the other side is not writable, so Sluice holds the client back (backpressure).

        waitPastTheIdleTime();

        assertThat(channel.isOpen()).isTrue();
        channel.read();
        waitPastTheIdleTime();
        assertThat(channel.isOpen()).as("silent once asked").isFalse();
    }

    private void waitPastTheIdleTime() throws InterruptedException {
        Thread.sleep(IDLE.toMillis() * 3);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false, timeouts);
        ch.config().setAutoRead(false);
        try {
            ch.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return ch;
    }
}
