package dev.sluice.http1;

import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.relay.ClientTimeouts;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards absolute-form requests for one client connection. Sits after the front door in a pipeline whose
 * codec is {@code HttpServerCodec} (AUTO_READ off) and receives, as {@code channelRead} messages, a
 * {@link ForwardRequest} followed by that request's {@code HttpContent}s.
 *
 * <p>Requests are forwarded one at a time: from a {@link ForwardRequest} until its response is complete this
 * handler owns the client's reads (the front door must not call {@code read()}), then it calls
 * {@code ctx.read()} for the next request. What the codec decoded ahead in the same socket read (a pipelined
 * request) waits here, in order, until the current exchange is over.
 */
public final class ForwardHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ForwardHandler.class);

    private final OriginPools pools;
    private final Metrics metrics;
    private final AccessLog accessLog;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private final ForwardExchange.Done onExchangeDone = this::exchangeDone;
    private ChannelHandlerContext ctx;
    /** This connection's event loop's pool; the loop never changes, so it is looked up once. */
    private OriginPool pool;
    private ForwardExchange current;

    /** @param pools the server's upstream connection pools, shared by all client connections */
    public ForwardHandler(OriginPools pools, Metrics metrics, AccessLog accessLog) {
        this.pools = pools;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.pool = pools.forLoop(ctx.channel().eventLoop());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ForwardRequest || msg instanceof HttpContent) {
            dispatch(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientClosed();
        }
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && current != null) {
            current.clientInputClosed();
        } else if (evt == ClientTimeouts.IDLE_TIMEOUT && current != null) {
            current.requestBodyStalled(); // the connection closes after this event
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (current == null) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.debug("client {} failed during a forward", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void dispatch(Object msg) {
        if (current == null) {
            if (msg instanceof ForwardRequest request) {
                ForwardExchange exchange = new ForwardExchange(ctx, request, pool, metrics, accessLog, onExchangeDone);
                current = exchange;
                exchange.start();
            } else {
                // The rest of a body whose request was already answered; the connection is closing.
                ReferenceCountUtil.release(msg);
            }
        } else if (msg instanceof HttpContent content && current.wantsRequestContent()) {
            current.requestContent(content);
        } else {
            waiting.add(msg);
        }
    }

    private void exchangeDone(boolean keepClient) {
        current = null;
        if (!keepClient) {
            releaseWaiting();
            return;
        }
        while (!waiting.isEmpty()
                && (current == null || current.wantsRequestContent() && waiting.peek() instanceof HttpContent)) {
            dispatch(waiting.poll());
        }
        if (current == null) {
            ctx.read();
        }
    }

    private void releaseWaiting() {
        for (Object msg = waiting.poll(); msg != null; msg = waiting.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }
}
