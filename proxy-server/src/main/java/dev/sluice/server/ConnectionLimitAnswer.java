package dev.sluice.server;

import dev.sluice.http1.ProxyErrorResponse;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Answers a connection over a limit with {@code 503} and {@code Proxy-Status: ...; error=connection_limit_reached}
 * as soon as it is accepted, without parsing its request: refusing must cost less than serving. A server may answer
 * before the request is complete, and a client that already sent its request head still reads the answer. After the
 * answer Sluice sends FIN and discards whatever the client still sends, for at most {@link #LINGER_MILLIS}, so that
 * closing with unread bytes does not reset the connection and destroy the answer before the client reads it.
 */
final class ConnectionLimitAnswer extends ChannelInboundHandlerAdapter {
    static final long LINGER_MILLIS = 1000;

    private final String detail;

    ConnectionLimitAnswer(String detail) {
        this.detail = detail;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpResponse response = ProxyErrorResponse.create(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                "connection_limit_reached", detail);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                ctx.close();
                return;
            }
            ((SocketChannel) ctx.channel()).shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            ctx.read();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
