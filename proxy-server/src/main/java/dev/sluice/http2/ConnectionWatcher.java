package dev.sluice.http2;

import dev.sluice.relay.Drain;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of one leg's connection: passes the connection-level frames that matter to the bridge (the
 * upstream's SETTINGS, a GOAWAY from either side) and drops the rest, which the codec has already answered (PING,
 * SETTINGS acknowledgements).
 */
final class ConnectionWatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionWatcher.class);

    private final ConnectionPair pair;
    private final boolean isUpstream;

    ConnectionWatcher(ConnectionPair pair, boolean isUpstream) {
        this.pair = pair;
        this.isUpstream = isUpstream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame settings && isUpstream) {
            pair.upstreamSettings(settings.settings());
        } else if (msg instanceof Http2GoAwayFrame) {
            pair.goAway(isUpstream);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Drain.EVENT && !isUpstream) {
            pair.drain();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A connection error the codec raised: it sends the GOAWAY and closes; a client's is logged by ClientAbuse.
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            if (isUpstream) {
                log.info("h2 upstream connection {} broke the protocol: {}", ctx.channel(), cause.toString());
            }
            return;
        }
        if (cause instanceof IOException) {
            log.debug("h2 {} connection {}: {}", isUpstream ? "upstream" : "client", ctx.channel(), cause.toString());
        } else {
            log.warn("h2 {} connection {} failed", isUpstream ? "upstream" : "client", ctx.channel(), cause);
        }
        ctx.close();
    }
}
