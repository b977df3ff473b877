package dev.sluice.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Holds the application bytes that arrive on a leg before the bridge's HTTP/2 codec is in place, and passes them to
 * the codec when it is removed. An {@code SslHandler} keeps reading after its handshake until it has decoded some
 * application data (a TLS 1.3 client's first HTTP/2 bytes often come with its Finished), and the client's codec is
 * installed only once the upstream's SETTINGS are known. The bridge adds one to each leg that has none; a caller
 * may add it itself right after {@code "tls"} (as {@link #NAME}) to keep what arrives before the bridge starts.
 * It holds at most what that handler reads on its own: the connection is not read otherwise.
 */
public final class EarlyBytes extends ChannelInboundHandlerAdapter {
    public static final String NAME = "h2-early";

    private final Queue<Object> held = new ArrayDeque<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // the read is reported with the bytes, when they are passed on
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held.isEmpty()) {
            return;
        }
        for (Object msg = held.poll(); msg != null; msg = held.poll()) {
            ctx.fireChannelRead(msg);
        }
        ctx.fireChannelReadComplete();
    }
}
