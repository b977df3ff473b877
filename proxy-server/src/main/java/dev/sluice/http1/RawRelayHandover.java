package dev.sluice.http1;

import dev.sluice.relay.RelayObserver;
import dev.sluice.relay.TcpRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends HTTP on a bumped pair once a 101 has been relayed: takes the HTTP relay and both codecs out and hands the
 * pair to a {@link TcpRelay}. A codec can hold bytes past the message it last decoded (an origin often sends its
 * first WebSocket frame right behind the 101); its removal passes them on, so they are caught here and sent on
 * in order: the origin's to the client now, the client's upstream first through the raw relay.
 */
final class RawRelayHandover {
    private RawRelayHandover() {
    }

    /**
     * @param bytesUp   bytes relayed up before the switch, for the raw relay's single {@code closed} report
     * @param bytesDown bytes relayed down before the switch
     */
    static void start(Channel client, Channel upstream, Duration idleTimeout, RelayObserver observer, long bytesUp,
                      long bytesDown) {
        List<ByteBuf> fromClient = removeHttp(client);
        List<ByteBuf> fromUpstream = removeHttp(upstream);
        long down = bytesDown;
        for (ByteBuf bytes : fromUpstream) {
            down += bytes.readableBytes();
            observer.bytesDown(bytes.readableBytes());
            client.write(bytes, client.voidPromise());
        }
        client.flush();
        TcpRelay.start(client, upstream, idleTimeout, fromClient, new ContinuedRelayObserver(observer, bytesUp, down));
    }

    /** Removes the HTTP relay and codec from a pipeline; returns the bytes the codec still held. */
    private static List<ByteBuf> removeHttp(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.remove(BumpedHttp1Relay.RELAY);
        Leftovers leftovers = new Leftovers();
        pipeline.addLast(leftovers);
        pipeline.remove(BumpedHttp1Relay.CODEC);
        pipeline.remove(leftovers);
        return leftovers.bytes;
    }

    /** Catches what a codec passes on as it is removed. */
    private static final class Leftovers extends ChannelInboundHandlerAdapter {
        private final List<ByteBuf> bytes = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                bytes.add(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
