package dev.sluice.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;

/**
 * Reads one HTTP/2 response stream to nowhere and completes {@code body} with its length at the end of the stream,
 * or fails it on a status other than 200 or a stream that ends early. The stream channel returns flow-control
 * window for each frame read, so the sender is never held back by this reader.
 */
final class BodyCounter extends ChannelInboundHandlerAdapter {
    private final Promise<Long> body;
    private long bytes;

    BodyCounter(Promise<Long> body) {
        this.body = body;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headers) {
                CharSequence status = headers.headers().status();
                if (status != null && !"200".contentEquals(status)) {
                    body.tryFailure(new IOException("status " + status));
                    ctx.close();
                } else if (headers.isEndStream()) {
                    body.trySuccess(bytes);
                }
            } else if (msg instanceof Http2DataFrame data) {
                bytes += data.content().readableBytes();
                if (data.isEndStream()) body.trySuccess(bytes);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        body.tryFailure(new IOException("the stream closed after " + bytes + " body bytes, before its end"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        body.tryFailure(cause);
        ctx.close();
    }
}
