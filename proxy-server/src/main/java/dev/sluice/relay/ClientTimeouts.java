package dev.sluice.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
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
 *   <li>between keep-alive requests a silent connection is closed after {@code idle};</li>
 *   <li>once a byte of the next request arrives, its head must be complete within {@code requestHeader};</li>
 *   <li>while a request body is read ({@link #readingBody()}), a client silent for {@code idle} is closed; only
 *   while Sluice asks it for bytes, though: while Sluice holds its reads back (the other side is not writable) the
 *   silence is not the client's.</li>
 * </ul>
 * A late head fires {@link #REQUEST_HEADER_TIMEOUT} (the front door and a bumped connection answer 408); an idle
 * connection fires {@link #IDLE_TIMEOUT} and is closed. While a request is being served the owner stops the clocks.
 */
public final class ClientTimeouts extends ChannelDuplexHandler {
    /** User event: the request head did not arrive in time. */
    public static final Object REQUEST_HEADER_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "REQUEST_HEADER_TIMEOUT";
        }
    };
    /** User event: the connection was silent too long and is being closed. */
    public static final Object IDLE_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "IDLE_TIMEOUT";
        }
    };

    private static final Logger log = LoggerFactory.getLogger(ClientTimeouts.class);

    private enum Phase { HEADER, IDLE, BODY, BUSY }

    private final long idleNanos;
    private final long requestHeaderNanos;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.BUSY;
    private ScheduledFuture<?> timer;
    /** The {@link Phase#BODY} clock: a client silent while Sluice asks it for bytes. */
    private SilenceTimer bodySilence;
    /** Whether a byte arrived since the current phase began: in {@link Phase#HEADER}, a request has begun. */
    private boolean heard;
    /** Whether a read was asked for and no read burst has ended since (the connection runs with auto-read off). */
    private boolean readRequested;

    public ClientTimeouts(Duration idle, Duration requestHeader) {
        this.idleNanos = idle.toNanos();
        this.requestHeaderNanos = requestHeader.toNanos();
    }

    /** A request head has arrived: no clock runs until {@link #awaitNextRequest()} or {@link #readingBody()}. */
    public void requestReceived() {
        enter(Phase.BUSY);
    }

    /** A request head has arrived and its body is being read: the client must not go silent for the idle time. */
    public void readingBody() {
        enter(Phase.BODY);
    }

    /** The previous exchange is over; the connection may now sit idle until the next request. */
    public void awaitNextRequest() {
        enter(Phase.IDLE);
    }

    /**
     * Whether the connection is between requests with no byte of the next one read: closing it now loses nothing
     * (a drain). A request head only partly received is not idle.
     */
    public boolean betweenRequests() {
        return phase == Phase.IDLE || (phase == Phase.HEADER && !heard);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.bodySilence = new SilenceTimer(ctx.channel().eventLoop(), idleNanos, () -> readRequested,
                this::bodySilent);
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
        } else if (phase == Phase.BODY) {
            bodySilence.activity();
        }
        heard = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        readRequested = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readRequested = false; // whoever wants more asks again, after this
        ctx.fireChannelReadComplete();
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
        heard = false;
        if (ctx == null) {
            return;
        }
        if (next == Phase.BODY) {
            bodySilence.start();
        } else if (next != Phase.BUSY) {
            long nanos = next == Phase.HEADER ? requestHeaderNanos : idleNanos;
            timer = ctx.executor().schedule(() -> expired(next), nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (bodySilence != null) {
            bodySilence.stop();
        }
    }

    private void bodySilent() {
        if (phase == Phase.BODY) {
            closeIdle();
        }
    }

    private void expired(Phase expected) {
        if (phase != expected) {
            return;
        }
        timer = null;
        if (expected == Phase.HEADER) {
            phase = Phase.BUSY;
            ctx.fireUserEventTriggered(REQUEST_HEADER_TIMEOUT);
        } else {
            closeIdle();
        }
    }

    private void closeIdle() {
        phase = Phase.BUSY;
        log.debug("closing idle client connection {}", ctx.channel());
        ctx.fireUserEventTriggered(IDLE_TIMEOUT);
        ctx.close();
    }
}
