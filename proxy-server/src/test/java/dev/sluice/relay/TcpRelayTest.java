package dev.sluice.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.ReadCounter;
import dev.sluice.testing.Writability;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpRelayTest {
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final RecordingObserver observer = new RecordingObserver();
    private final ReadCounter clientReads = new ReadCounter();
    private final ReadCounter upstreamReads = new ReadCounter();
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;

    @BeforeEach
    void channels() {
        client = channel(clientReads);
        upstream = channel(upstreamReads);
    }

    @AfterEach
    void release() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Test
    void relaysBothWaysAndCountsBytes() {
        TcpRelay relay = TcpRelay.start(client, upstream, IDLE, List.of(), observer);

        client.writeInbound(text("hello"));
        upstream.writeInbound(text("world!"));

        assertThat(readText(upstream)).isEqualTo("hello");
        assertThat(readText(client)).isEqualTo("world!");
        assertThat(relay.bytesUp()).isEqualTo(5);
        assertThat(relay.bytesDown()).isEqualTo(6);
        assertThat(observer.up).isEqualTo(5);
        assertThat(observer.down).isEqualTo(6);
    }

    @Test
    void aTunnelReadsInBuffersThatGrowToMaxReadWhileReadsFillThem() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);

        for (EmbeddedChannel channel : List.of(client, upstream)) {
            RecvByteBufAllocator.ExtendedHandle handle =
                    (RecvByteBufAllocator.ExtendedHandle) channel.config().getRecvByteBufAllocator().newHandle();
            for (int i = 0; i < 50; i++) {
                handle.reset(channel.config());
                handle.attemptedBytesRead(handle.guess());
                handle.lastBytesRead(handle.guess());
                handle.readComplete();
            }
            assertThat(handle.guess()).isEqualTo(TcpRelay.MAX_READ);
        }
    }

    @Test
    void readsEachSideAgainOnlyAfterItsBytesWereWritten() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);
        assertThat(clientReads.count()).isEqualTo(1);
        assertThat(upstreamReads.count()).isEqualTo(1);

        upstream.writeInbound(text("chunk"));

        assertThat(upstreamReads.count()).isEqualTo(2);
        assertThat(clientReads.count()).isEqualTo(1);
        readText(client);
    }

    @Test
    void stopsReadingASideWhileItsPeerIsNotWritableAndResumesWhenItIs() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);
        int before = upstreamReads.count();
        Writability.set(client, false);

        upstream.writeInbound(text("one"));
        assertThat(upstreamReads.count()).as("no read while the client is not writable").isEqualTo(before);

        Writability.set(client, true);
        assertThat(upstreamReads.count()).as("read resumes on writability").isEqualTo(before + 1);
        assertThat(readText(client)).isEqualTo("one");
    }

    @Test
    void sendsReplayedBytesUpstreamFirst() {
        TcpRelay relay = TcpRelay.start(client, upstream, IDLE, List.of(text("early")), observer);

        client.writeInbound(text("-later"));

        assertThat(readText(upstream)).isEqualTo("early");
        assertThat(readText(upstream)).isEqualTo("-later");
        assertThat(relay.bytesUp()).isEqualTo(11);
    }

    @Test
    void anUpstreamResetClosesBothAndIsReportedOnce() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);

        upstream.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertThat(client.isOpen()).isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(observer.closedCalls).isEqualTo(1);
        assertThat(observer.error).isEqualTo("upstream_reset");
    }

    @Test
    void aClientThatGoesAwayClosesTheUpstream() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);
        client.writeInbound(text("bye"));

        client.close();

        assertThat(readText(upstream)).as("bytes already relayed are still delivered").isEqualTo("bye");
        assertThat(upstream.isOpen()).isFalse();
        assertThat(observer.error).isEqualTo("client_reset");
        assertThat(observer.up).isEqualTo(3);
    }

    @Test
    void messagesThatAreNotBytesAreReleasedNotRelayed() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);
        DefaultByteBufHolder leftover = new DefaultByteBufHolder(text("leftover"));

        client.writeInbound(leftover);

        assertThat(leftover.refCnt()).isZero();
        assertThat(upstream.outboundMessages()).isEmpty();
    }

    @Test
    void anIdleTunnelIsClosed() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);

        client.advanceTimeBy(IDLE.toMillis() + 1, TimeUnit.MILLISECONDS);
        client.runPendingTasks();

        assertThat(client.isOpen()).isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(observer.error).isEqualTo("idle_timeout");
    }

    @Test
    void trafficKeepsATunnelAlive() {
        TcpRelay.start(client, upstream, IDLE, List.of(), observer);

        client.advanceTimeBy(IDLE.toMillis() - 1000, TimeUnit.MILLISECONDS);
        client.runPendingTasks();
        upstream.writeInbound(text("tick"));
        client.advanceTimeBy(IDLE.toMillis() - 1000, TimeUnit.MILLISECONDS);
        client.runPendingTasks();

        assertThat(client.isOpen()).isTrue();
        readText(client);
    }

    private static EmbeddedChannel channel(ReadCounter reads) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(reads);
        return channel;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readText(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        assertThat(buf).as("a relayed buffer").isNotNull();
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    private static final class RecordingObserver implements RelayObserver {
        long up;
        long down;
        int closedCalls;
        String error;

        @Override
        public void bytesUp(long n) {
            up += n;
        }

        @Override
        public void bytesDown(long n) {
            down += n;
        }

        @Override
        public void closed(long bytesUp, long bytesDown, String error) {
            closedCalls++;
            this.error = error;
        }
    }
}
