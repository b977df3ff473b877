package dev.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers one HTTP/2 request stream: {@code GET /zeros/N} gets status 200 and N zero bytes, anything else 404.
 * The body is written while the stream is writable (its flow-control window open) and resumed when it becomes
 * writable again, from slices of one shared buffer, so a 1 GiB body costs no memory and no copying here.
 */
final class ZerosResponder extends ChannelInboundHandlerAdapter {
    private static final Pattern ZEROS = Pattern.compile("/zeros/(\\d{1,18})");
    private static final int CHUNK = 256 * 1024;
    /** Read-only in use: every write is a slice of it, and slices of an unreleasable buffer are unreleasable. */
    private static final ByteBuf ZERO_CHUNK = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK));

    private long remaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame request) respond(ctx, request.headers());
        } finally {
            ReferenceCountUtil.release(msg); // request bodies, if any, are not wanted
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        sendBody(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void respond(ChannelHandlerContext ctx, Http2Headers request) {
        Matcher zeros = ZEROS.matcher(request.path() == null ? "" : request.path());
        if (!zeros.matches()) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("404"), true));
            return;
        }
        remaining = Long.parseLong(zeros.group(1));
        Http2Headers response = new DefaultHttp2Headers().status("200")
                .setLong(HttpHeaderNames.CONTENT_LENGTH, remaining);
        ctx.write(new DefaultHttp2HeadersFrame(response, remaining == 0));
        sendBody(ctx);
    }

    private void sendBody(ChannelHandlerContext ctx) {
        while (remaining > 0 && ctx.channel().isWritable()) {
            int n = (int) Math.min(CHUNK, remaining);
            remaining -= n;
            ctx.write(new DefaultHttp2DataFrame(ZERO_CHUNK.slice(0, n), remaining == 0));
        }
        ctx.flush();
    }
}
