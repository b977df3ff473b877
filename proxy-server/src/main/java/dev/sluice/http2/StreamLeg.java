package dev.sluice.http2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the frames of one HTTP/2 stream channel (AUTO_READ off) to the paired stream on the other leg, and tells
 * its {@link StreamBridge} what happened to the stream.
 *
 * <p>Backpressure: the channel is read again only once the peer stream is writable, and the multiplexer returns
 * flow-control window for DATA only when the channel is read again; so window goes back to a sender only after the
 * other leg accepted the bytes, and a slow reader stalls its own stream only. Frames of one read burst are flushed
 * together when the burst ends.
 */
final class StreamLeg extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StreamLeg.class);

    final boolean isClient;
    private final StreamBridge bridge;
    private ChannelHandlerContext ctx;
    private StreamLeg peer;
    private boolean readOwed;
    /** This side sent END_STREAM, and it was relayed. */
    private boolean inputEnded;
    /** END_STREAM was relayed to this side. */
    private boolean outputEnded;
    /** A final (non-1xx) head was relayed to this side: anything Sluice adds to its stream must be trailers. */
    private boolean headed;
    /** Sluice answered this side itself; the stream closes once the answer is written. */
    private boolean answered;
    /** The upstream said, in a GOAWAY, that it never processed this stream. */
    private boolean unprocessed;

    StreamLeg(StreamBridge bridge, boolean isClient) {
        this.bridge = bridge;
        this.isClient = isClient;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The client leg reads the request head as soon as its stream exists; the rest waits for a peer. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    void pairWith(StreamLeg other) {
        peer = other;
        other.peer = this;
    }

    boolean isOpen() {
        return ctx != null && ctx.channel().isActive();
    }

    /** Both directions of the stream ended on this side with END_STREAM. */
    boolean ended() {
        return inputEnded && outputEnded;
    }

    boolean unprocessed() {
        return unprocessed;
    }

    boolean outputEnded() {
        return outputEnded;
    }

    boolean headed() {
        return headed;
    }

    /** Whether this side's HTTP/2 connection is still up (a stream can close while it stays). */
    boolean connectionOpen() {
        return ctx.channel().parent().isActive();
    }

    void readIfPeerWritable() {
        if (peer == null || !isOpen()) {
            return;
        }
        if (peer.ctx.channel().isWritable()) {
            ctx.read();
        } else {
            readOwed = true;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered) {
            // what a request still sends after Sluice's answer, until the stream closes
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof Http2HeadersFrame head) {
            inputEnded |= head.isEndStream();
            bridge.headers(this, head);
        } else if (msg instanceof Http2DataFrame data) {
            inputEnded |= data.isEndStream();
            bridge.data(this, data.content());
            writeToPeer(new DefaultHttp2DataFrame(data.content(), data.isEndStream()));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Writes a copy of a HEADERS frame of this side to the peer, unflushed. */
    ChannelFuture relay(Http2HeadersFrame head) {
        CharSequence status = head.headers().status();
        if (status == null || status.length() == 0 || status.charAt(0) != '1') {
            peer.headed = true;
        }
        return writeToPeer(new DefaultHttp2HeadersFrame(head.headers(), head.isEndStream()));
    }

    /** Writes a frame to the peer, unflushed; the copies carry no stream and no padding, so the peer's stream fits. */
    private ChannelFuture writeToPeer(Http2StreamFrame copy) {
        if (!peer.isOpen()) {
            ReferenceCountUtil.release(copy);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        peer.outputEnded |= copy instanceof Http2DataFrame data ? data.isEndStream()
                : ((Http2HeadersFrame) copy).isEndStream();
        return peer.ctx.write(copy);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.ctx.flush();
        }
        readIfPeerWritable();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer != null && peer.readOwed) {
            peer.readOwed = false;
            peer.readIfPeerWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            bridge.reset(this, reset.errorCode());
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            // Only streams above the GOAWAY's last stream id get it: closed by the codec next, never processed.
            unprocessed = true;
            goAway.release();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Ends this side's stream with one HEADERS frame of Sluice's (a response of headers only, or trailers after what
     * was relayed), then closes it; a request still sending is told to stop with {@code NO_ERROR}, as RFC 9113 §8.1
     * allows once a response is complete. The reset waits until the frame is written: sent at once it would
     * overtake DATA still held by flow control, and the trailers behind it would be lost.
     */
    void answer(Http2Headers headers) {
        bridge.answering(this, headers);
        outputEnded = true;
        answered = true;
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true))
                .addListener(written -> close(Http2Error.NO_ERROR));
    }

    /** Resets this side's stream with {@code error} (unless it already ended) and closes its channel. */
    void abort(Http2Error error) {
        if (!answered) {
            close(error);
        }
    }

    private void close(Http2Error error) {
        if (!isOpen()) {
            return;
        }
        if (!ended()) {
            resetStream(error);
        }
        ctx.channel().close();
    }

    /**
     * Sluice resets a client's stream only for the origin's sake (its reset passed on, a stream it could not take, its
     * connection gone), so the reset is marked as not provoked by the client ({@link StreamRefusals#SLUICE_RESET}).
     */
    private void resetStream(Http2Error error) {
        Channel connection = ctx.channel().parent();
        if (isClient) {
            connection.attr(StreamRefusals.SLUICE_RESET).set(((Http2StreamChannel) ctx.channel()).stream().id());
        }
        try {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(error));
        } finally {
            if (isClient) {
                connection.attr(StreamRefusals.SLUICE_RESET).set(null);
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        bridge.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Stream errors are the peer's or the codec's business and end in a reset, seen as one.
        log.debug("h2 {} stream {}: {}", isClient ? "client" : "upstream", ctx.channel(), cause.toString());
        ctx.close();
    }

    StreamLeg peer() {
        return peer;
    }
}
