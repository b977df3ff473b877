package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
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

    /** Told about one channel's handshake; called on its event loop. */
    public interface Listener {
        /** @param failure null when the handshake succeeded */
        void handshaken(Throwable failure);

        /** The peer closed or half-closed the connection (possibly after a successful handshake). */
        void closed();
    }

    private final Listener listener;
    private final List<ByteBuf> held = new ArrayList<>();

    public HandshakeWatch(Listener listener) {
        this.listener = listener;
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
            listener.handshaken(done.isSuccess() ? null : done.cause());
        } else if (evt == ChannelInputShutdownEvent.INSTANCE) {
            listener.closed();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.closed();
    }

    /** A failed handshake arrives here too, after its completion event; the listener already knows. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} during a bump handshake: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
