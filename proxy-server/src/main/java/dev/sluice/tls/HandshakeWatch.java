package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind an {@code SslHandler} while a bump's handshakes run: reports the handshake's outcome and the peer
 * going away, and holds whatever application bytes the {@code SslHandler} decrypted past the handshake (a client's
 * first request in the same packet as its Finished, an origin's HTTP/2 SETTINGS) so the relay that takes over
 * gets them. That is bounded: with AUTO_READ off the {@code SslHandler} asks for no more reads once it has
 * delivered application bytes after its handshake.
 */
public final class HandshakeWatch extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HandshakeWatch.class);

    private final Consumer<Throwable> handshaken;
    private final Runnable closed;
    private final List<ByteBuf> held = new ArrayList<>();

    /**
     * Both are called on the channel's event loop.
     *
     * @param handshaken told the handshake's outcome: null when it succeeded, else why it failed
     * @param closed     told that the peer closed or half-closed the connection (possibly after its handshake)
     */
    public HandshakeWatch(Consumer<Throwable> handshaken, Runnable closed) {
        this.handshaken = handshaken;
        this.closed = closed;
    }

    /** The decrypted bytes held so far, in order; the caller owns them now. */
    public List<ByteBuf> takeHeld() {
        List<ByteBuf> taken = new ArrayList<>(held);
        held.clear();
        return taken;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            held.add(buf);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            handshaken.accept(done.isSuccess() ? null : done.cause());
        } else if (evt == ChannelInputShutdownEvent.INSTANCE) {
            closed.run();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed.run();
    }

    /** A failed handshake arrives here too, after its completion event; the outcome was already told. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} during a bump handshake: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
