package dev.sluice.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays bytes between a client and an upstream channel, both on one event loop, with AUTO_READ off.
 *
 * <p>Backpressure: a side is read once, its bytes are written to the peer, and it is read again only when that
 * write has completed and the peer is still writable (else when the peer's writability comes back). So per
 * direction Sluice holds at most one read buffer ({@link #MAX_READ} bytes) plus the peer's write-buffer high
 * watermark.
 *
 * <p>Throughput: with AUTO_READ off Netty does one socket read per {@code read()} request, and each request costs a
 * trip through the event loop, so a tunnel reads in buffers of up to {@link #MAX_READ}, set when the relay
 * starts, so only tunnels get them, not the HTTP front door.
 *
 * <p>Half-close: a FIN on one side (seen as {@link ChannelInputShutdownEvent}, which needs ALLOW_HALF_CLOSURE)
 * shuts the peer's output once the bytes before it are written; the relay closes both channels when both
 * directions have ended, on a reset or error, or when no byte moved either way for the idle timeout.
 */
public final class TcpRelay {
    /** Watermarks for every proxied channel: a side stops being read while its peer holds more than 64 KiB. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /**
     * The largest read buffer; it grows to this only while reads fill it. Netty's adaptive default stops at
     * 64 KiB, which holds a 1 GiB loopback tunnel to about 0.26 of a direct connection on 2 cores; 256 KiB gives
     * about 0.33. 512 KiB and 1 MiB are not measurably faster and make the pooled allocator reserve 4 to 9 MiB
     * more direct memory.
     */
    static final int MAX_READ = 256 * 1024;

    private static final Logger log = LoggerFactory.getLogger(TcpRelay.class);

    private final Side client = new Side("client", true);
    private final Side upstream = new Side("upstream", false);
    private final RelayObserver observer;
    private long bytesUp;
    private long bytesDown;
    private String error;
    private boolean closing;
    private int directionsDone;
    private int channelsClosed;

    private TcpRelay(RelayObserver observer) {
        this.observer = observer;
        client.peer = upstream;
        upstream.peer = client;
    }

    /**
     * Installs the relay as the last handler of both pipelines (the caller removes whatever else should not see
     * the bytes) and starts reading. Must run on the event loop of both channels.
     *
     * @param replayUpstream bytes already read from the client that go upstream first (released by the relay)
     */
    public static TcpRelay start(Channel client, Channel upstream, Duration idleTimeout, List<ByteBuf> replayUpstream,
                                 RelayObserver observer) {
        if (!client.eventLoop().inEventLoop() || !upstream.eventLoop().inEventLoop()) {
            replayUpstream.forEach(ReferenceCountUtil::release);
            throw new IllegalStateException("both legs of a relay must run on the caller's event loop");
        }
        TcpRelay relay = new TcpRelay(observer);
        readInBulk(client);
        readInBulk(upstream);
        // Idle on the client channel means idle both ways: its reads are the upstream bytes, its writes the
        // downstream ones; observeOutput keeps a slowly draining client from counting as idle.
        client.pipeline().addLast("relay-idle",
                new IdleStateHandler(true, 0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS));
        client.pipeline().addLast("relay", relay.client);
        upstream.pipeline().addLast("relay", relay.upstream);
        client.closeFuture().addListener(f -> relay.channelClosed());
        upstream.closeFuture().addListener(f -> relay.channelClosed());
        for (ByteBuf buf : replayUpstream) {
            relay.count(true, buf.readableBytes());
            relay.upstream.ctx.write(buf).addListener(relay.client.afterWrite);
        }
        relay.upstream.ctx.flush();
        relay.client.begin();
        relay.upstream.begin();
        return relay;
    }

    private static void readInBulk(Channel channel) {
        channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 64 * 1024, MAX_READ));
    }

    /** Bytes relayed client to upstream so far. */
    public long bytesUp() {
        return bytesUp;
    }

    /** Bytes relayed upstream to client so far. */
    public long bytesDown() {
        return bytesDown;
    }

    private void count(boolean fromClient, int n) {
        if (fromClient) {
            bytesUp += n;
            observer.bytesUp(n);
        } else {
            bytesDown += n;
            observer.bytesDown(n);
        }
    }

    private void directionDone() {
        if (++directionsDone == 2) {
            closeBoth(null);
        }
    }

    private void closeBoth(String reason) {
        if (error == null && directionsDone < 2) {
            error = reason;
        }
        closing = true;
        client.ctx.channel().close();
        upstream.ctx.channel().close();
    }

    private void channelClosed() {
        if (++channelsClosed == 2) {
            observer.closed(bytesUp, bytesDown, error);
        }
    }

    /** The relay's handler on one of the two channels. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final String name;
        private final boolean isClient;
        private Side peer;
        private ChannelHandlerContext ctx;
        /** Held once so a relayed buffer costs no listener allocation. */
        private final GenericFutureListener<Future<? super Void>> afterWrite = this::afterWrite;
        private boolean inputDone;
        private boolean readOwed;

        Side(String name, boolean isClient) {
            this.name = name;
            this.isClient = isClient;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void begin() {
            Channel channel = ctx.channel();
            if (!channel.isActive()) {
                died();
            } else if (channel instanceof DuplexChannel duplex && duplex.isInputShutdown()) {
                inputShutdown();
            } else {
                readIfPeerWritable();
            }
        }

        private void readIfPeerWritable() {
            if (inputDone || closing || !ctx.channel().isActive()) {
                return;
            }
            if (peer.ctx.channel().isWritable()) {
                ctx.read();
            } else {
                readOwed = true;
            }
        }

        void afterWrite(Future<? super Void> write) {
            if (write.isSuccess()) {
                readIfPeerWritable();
            } else {
                failed(peer.name + "_reset", write.cause());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf) || closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            count(isClient, buf.readableBytes());
            peer.ctx.writeAndFlush(buf).addListener(afterWrite);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && peer.readOwed) {
                peer.readOwed = false;
                peer.readIfPeerWritable();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                inputShutdown();
            } else if (evt instanceof IdleStateEvent) {
                log.debug("tunnel idle, closing {} <-> {}", client.ctx.channel(), upstream.ctx.channel());
                closeBoth("idle_timeout");
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        /** This side sent FIN: pass it on once the bytes before it have been written to the peer. */
        private void inputShutdown() {
            if (inputDone) {
                return;
            }
            inputDone = true;
            Channel peerChannel = peer.ctx.channel();
            peer.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                if (!written.isSuccess()) {
                    failed(peer.name + "_reset", written.cause());
                } else if (peerChannel instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput().addListener(shut -> {
                        if (shut.isSuccess()) {
                            directionDone();
                        } else {
                            failed(peer.name + "_reset", shut.cause());
                        }
                    });
                } else {
                    closeBoth(null);
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            died();
        }

        /** This side is gone without a clean FIN both ways: deliver what the peer still holds, then close it. */
        private void died() {
            if (closing) {
                return;
            }
            if (error == null && directionsDone < 2) {
                error = name + "_reset";
            }
            closing = true;
            peer.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> peer.ctx.channel().close());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause instanceof IOException ? name + "_reset" : "relay_error", cause);
        }

        private void failed(String reason, Throwable cause) {
            if (cause instanceof IOException) {
                // Resets are part of life on the Internet; they are counted, not alarming.
                log.debug("tunnel {}: {}", reason, cause.toString());
            } else if (cause != null && !closing) {
                log.warn("tunnel {}", reason, cause);
            }
            closeBoth(reason);
        }
    }
}
