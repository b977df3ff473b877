package dev.sluice.http1;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The last handler of an upstream HTTP/1.1 pipeline. While an exchange uses the connection it hands that
 * exchange everything the origin says; while the connection idles in its {@link OriginPool} a message from
 * the origin is out of turn (the connection is closed) and a close removes it from the pool.
 */
final class OriginConnection extends ChannelInboundHandlerAdapter {
    /** The exchange currently using a connection. Every call arrives on the connection's event loop. */
    interface Listener {
        void originRead(HttpObject message);

        void originReadComplete();

        void originWritable();

        /** The connection closed; {@code cause} is what broke it, or null for a plain close. */
        void originClosed(Throwable cause);
    }

    private final OriginPool pool;
    private final OriginKey key;
    private Channel channel;
    private Listener listener;
    private int exchanges;
    private ScheduledFuture<?> idleTimer;
    private Throwable failure;

    OriginConnection(OriginPool pool, OriginKey key) {
        this.pool = pool;
        this.key = key;
    }

    OriginKey key() {
        return key;
    }

    Channel channel() {
        return channel;
    }

    /** Whether an earlier exchange already completed on this connection (so the origin may have dropped it). */
    boolean reused() {
        return exchanges > 0;
    }

    boolean isActive() {
        return channel.isActive();
    }

    void attach(Listener exchange) {
        listener = exchange;
    }

    /** Ends the current exchange's use; {@code completed} counts it as a finished exchange on this connection. */
    void detach(boolean completed) {
        listener = null;
        if (completed) {
            exchanges++;
        }
    }

    void close() {
        listener = null;
        channel.close();
    }

    /** Parks the connection; a read stays pending so that the origin closing it is noticed while idle. */
    void park(ScheduledFuture<?> timer) {
        idleTimer = timer;
        channel.read();
    }

    void unpark() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && msg instanceof HttpObject message) {
            listener.originRead(message);
        } else {
            // Idle, or no longer HTTP: nothing may arrive here, and the connection can no longer be trusted.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.originReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null && ctx.channel().isWritable()) {
            listener.originWritable();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // With half-closure allowed the origin's FIN arrives as this event, after the codec has ended a
            // close-delimited body. An HTTP/1.1 connection the origin stopped sending on is finished.
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        unpark();
        pool.evict(this);
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.originClosed(failure);
        }
    }
}
