package dev.sluice.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands the admin handler one request at a time (the connection runs with auto-read off): the next request is passed
 * on, or the socket read again, only once the answer to the last one is written. A client that pipelines requests
 * and never reads its answers then has at most one answer waiting in Sluice's memory, and answers to pipelined
 * requests leave in order even when one of them ({@code POST /reload}) is answered later. Requests decoded from one
 * read wait here decoded: at most one read's worth.
 */
final class OneRequestAtATime extends ChannelDuplexHandler {
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean answering;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answering) {
            waiting.add(msg);
        } else {
            answering = true;
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!answering) {
            ctx.read(); // the request head is not whole yet
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof FullHttpResponse) {
            ChannelPromise written = promise.unvoid();
            written.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    // Not from inside this write: a queue of answers would otherwise recurse.
                    ctx.executor().execute(() -> next(ctx));
                }
            });
            ctx.write(msg, written);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        answering = false;
        Object msg = waiting.poll();
        if (msg != null) {
            answering = true;
            ctx.fireChannelRead(msg);
        } else {
            ctx.read();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object msg = waiting.poll(); msg != null; msg = waiting.poll()) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }
}
