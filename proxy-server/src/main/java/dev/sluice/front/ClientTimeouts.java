package dev.sluice.front;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connection's clocks while Sluice waits for a request. Sits before the HTTP decoder so it sees the
 * first raw byte of a request:
 * <ul>
 *   <li>a new connection must deliver a complete request head within {@code requestHeader};</li>
 *   <li>between keep-alive requests a silent connection is closed after {@code idleClient};</li>
 *   <li>once a byte of the next request arrives, its head must be complete within {@code requestHeader}.</li>
 * </ul>
 * A late head fires {@link #REQUEST_HEADER_TIMEOUT} (the front door answers 408); an idle connection is just closed.
 * While a request is being served the front door stops the clocks.
 */
public final class ClientTimeouts extends ChannelInboundHandlerAdapter {
    /** User event: the request head did not arrive in time. */
    public static final Object REQUEST_HEADER_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "REQUEST_HEADER_TIMEOUT";
        }
    };

    private static final Logger log = LoggerFactory.getLogger(ClientTimeouts.class);

    private enum Phase { HEADER, IDLE, BUSY }

    private final long idleClientNanos;
    private final long requestHeaderNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.BUSY;
    private ScheduledFuture<?> timer;

    public ClientTimeouts(Duration idleClient, Duration requestHeader) {
        this.idleClientNanos = idleClient.toNanos();
        this.requestHeaderNanos = requestHeader.toNanos();
    }

    /** A request head has arrived: no clock runs until {@link #awaitNextRequest()}. */
    void requestReceived() {
        enter(Phase.BUSY);
    }

    /** The previous exchange is over; the connection may now sit idle until the next request. */
    void awaitNextRequest() {
        enter(Phase.IDLE);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        enter(Phase.HEADER);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE) {
            enter(Phase.HEADER);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void enter(Phase next) {
        cancel();
        phase = next;
        if (next != Phase.BUSY && ctx != null) {
            long nanos = next == Phase.IDLE ? idleClientNanos : requestHeaderNanos;
            timer = ctx.executor().schedule(() -> expired(next), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired(Phase expected) {
        if (phase != expected) {
            return;
        }
        timer = null;
        phase = Phase.BUSY;
        if (expected == Phase.IDLE) {
            log.debug("closing idle client connection {}", ctx.channel());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(REQUEST_HEADER_TIMEOUT);
        }
    }
}
