package dev.sluice.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/** Counts the read() requests that reach the head of a pipeline, for tests of handlers that read with AUTO_READ off. */
public final class ReadCounter extends ChannelOutboundHandlerAdapter {
    private int count;

    public int count() {
        return count;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        count++;
        ctx.read();
    }
}
