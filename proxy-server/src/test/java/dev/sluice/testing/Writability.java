package dev.sluice.testing;

import io.netty.channel.embedded.EmbeddedChannel;

/** Makes an {@link EmbeddedChannel} unwritable, or writable again, as a full or drained socket would. */
public final class Writability {
    private Writability() {
    }

    /** Sets the channel's writability and runs what the change triggers. */
    public static void set(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        channel.runPendingTasks();
    }
}
