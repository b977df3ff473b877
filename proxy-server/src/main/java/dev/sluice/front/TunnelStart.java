package dev.sluice.front;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;

/** The moment a CONNECT becomes a tunnel: the {@code 200}, then a client pipeline with no HTTP left in it. */
final class TunnelStart {
    static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private TunnelStart() {
    }

    /**
     * Answers {@code 200 Connection established} through the front door's encoder, counts it, then removes every
     * handler from the client pipeline: from here on it carries tunnel bytes only.
     */
    static void answerAndStrip(ChannelHandlerContext front, FrontServices services, Exchange exchange) {
        front.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED, Unpooled.EMPTY_BUFFER));
        services.countAnswer(exchange, ESTABLISHED.code());
        // The 200 is already encoded, so the encoder can go too.
        Channel client = front.channel();
        ChannelPipeline pipeline = client.pipeline();
        for (String name : new ArrayList<>(pipeline.names())) {
            if (pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }
}
