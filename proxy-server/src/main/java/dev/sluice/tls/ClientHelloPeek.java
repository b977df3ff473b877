package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a tunnel client's first flight until {@link ClientHelloParser} can say what it is, and hands the verdict
 * with every byte read so far to a {@link Listener}, once. Decodes only: it decides and relays nothing.
 *
 * <p>Reads are held (AUTO_READ is off): one {@code read()} at a time, and only while the parser needs more. The
 * bytes are kept for a replay (to a spliced upstream, or into a TLS server handler) and bounded by
 * {@link #MAX_FLIGHT_BYTES}: a flight that grows past it without a verdict is {@code TOO_LARGE}.
 */
public final class ClientHelloPeek extends ChannelInboundHandlerAdapter {
    /**
     * The parser refuses a ClientHello over 16 KiB and a flight of records past twice that; this cap (with room for
     * a record header) only guards against a parser that would keep asking for more.
     */
    static final int MAX_FLIGHT_BYTES = 2 * ClientHelloParser.DEFAULT_MAX_HANDSHAKE_BYTES + 5;

    private static final Logger log = LoggerFactory.getLogger(ClientHelloPeek.class);
    private static final ClientHelloParser PARSER = new ClientHelloParser();

    /** Told once what the first flight is. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param result the parser's verdict; {@link ClientHelloResult.Kind#NEED_MORE} when the client closed or
         *               half-closed before its first flight was complete
         * @param flight every byte read so far, reader index at the first; the listener owns (and must release) it
         */
        void peeked(ClientHelloResult result, ByteBuf flight);
    }

    private final List<ByteBuf> early;
    private final Listener listener;
    private ByteBuf flight;
    private boolean done;

    /** @param early bytes the front door already read past the CONNECT head; the peek owns them now */
    public ClientHelloPeek(List<ByteBuf> early, Listener listener) {
        this.early = early;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        flight = ctx.alloc().buffer();
        for (ByteBuf buf : early) {
            flight.writeBytes(buf);
            buf.release();
        }
        early.clear();
        if (flight.isReadable()) {
            evaluate();
        }
        if (!done) {
            ctx.read();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        if (flight != null) {
            flight.release();
            flight = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (done || !(msg instanceof ByteBuf buf)) {
                return; // nothing was asked for past the verdict; what the listener did not take is dropped
            }
            flight.writeBytes(buf);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        evaluate();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            endedEarly();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endedEarly();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {} while its ClientHello was awaited: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("client {} failed while its ClientHello was awaited", ctx.channel(), cause);
        }
        ctx.close();
    }

    private void evaluate() {
        ClientHelloResult result = PARSER.parse(flight);
        if (result.kind() == ClientHelloResult.Kind.NEED_MORE) {
            if (flight.readableBytes() <= MAX_FLIGHT_BYTES) {
                return;
            }
            result = ClientHelloResult.tooLarge("first flight longer than the bound");
        }
        finish(result);
    }

    private void endedEarly() {
        if (!done && flight != null) {
            finish(ClientHelloResult.NEED_MORE);
        }
    }

    private void finish(ClientHelloResult result) {
        done = true;
        ByteBuf handed = flight;
        flight = null;
        listener.peeked(result, handed);
    }
}
