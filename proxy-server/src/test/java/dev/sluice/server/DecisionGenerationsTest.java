package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.Drain;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which open connections a reload that changed what decides asks to finish, and how often. */
class DecisionGenerationsTest {
    /** Each channel with an id of its own: an EmbeddedChannel shares one by default, and a group holds one per id. */
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    @Test
    void connectionsOfAnOlderGenerationAreAskedOncePerReloadAndNewerOnesNot() {
        AtomicInteger oldDrains = new AtomicInteger();
        AtomicInteger newDrains = new AtomicInteger();
        EmbeddedChannel old = client(0, oldDrains);
        EmbeddedChannel current = client(1, newDrains);

        assertThat(DecisionGenerations.retireOlder(clients, 1)).isEqualTo(1);
        assertThat(DecisionGenerations.retireOlder(clients, 1)).as("asked already").isZero();
        assertThat(oldDrains).hasValue(1);
        assertThat(newDrains).hasValue(0);

        assertThat(DecisionGenerations.retireOlder(clients, 2)).as("a later reload asks both").isEqualTo(2);
        assertThat(oldDrains).hasValue(2);
        assertThat(newDrains).hasValue(1);
        old.finishAndReleaseAll();
        current.finishAndReleaseAll();
    }

    @Test
    void aConnectionAcceptedWithServicesAReloadJustReplacedIsRetiredAtOnceAndOnlyOnce() {
        AtomicInteger drains = new AtomicInteger();
        EmbeddedChannel racing = new EmbeddedChannel(DefaultChannelId.newInstance(), counting(drains));
        clients.add(racing);

        assertThat(DecisionGenerations.accepted(racing, 0, 1)).isTrue();
        assertThat(DecisionGenerations.retireOlder(clients, 1)).as("the reload's own pass").isZero();
        assertThat(drains).hasValue(1);
        assertThat(DecisionGenerations.accepted(new EmbeddedChannel(DefaultChannelId.newInstance()), 1, 1)).isFalse();
        racing.finishAndReleaseAll();
    }

    private EmbeddedChannel client(long generation, AtomicInteger drains) {
        EmbeddedChannel channel = new EmbeddedChannel(DefaultChannelId.newInstance(), counting(drains));
        clients.add(channel);
        assertThat(DecisionGenerations.accepted(channel, generation, generation)).isFalse();
        return channel;
    }

    private static ChannelInboundHandlerAdapter counting(AtomicInteger drains) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt == Drain.EVENT) {
                    drains.incrementAndGet();
                }
            }
        };
    }
}
