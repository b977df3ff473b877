package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.logging.LogLevel;

/**
 * Ends a connection whose peer floods Sluice with valid frames none of Netty's protections counts: PRIORITY frames
 * (Resource Loop, CVE-2019-9513) and small WINDOW_UPDATE frames (a flood of increments on stream 0, or Data Dribble,
 * CVE-2019-9511). Past {@code limits.h2.maxControlFramesPerWindow} of one kind per {@code resetWindow} the peer is sent
 * GOAWAY ENHANCE_YOUR_CALM ({@link #PRIORITY_FLOOD}, {@link #WINDOW_UPDATE_FLOOD}). Netty's frame codec offers no
 * listener to decorate; its frame logger, which sees every frame read, is the one hook. Logs nothing itself.
 *
 * <p>Only WINDOW_UPDATE frames of less than {@link #SMALL_INCREMENT} count: their number grows with the bytes Sluice
 * sends, and clients (Netty, nghttp2, browsers, Go, OkHttp) grow a window by at least a few KiB at a time, so a fast
 * download is never mistaken for a flood.
 */
class ControlFloods extends Http2FrameLogger {
    /** WINDOW_UPDATE increments below this count towards the limit. */
    static final int SMALL_INCREMENT = 1024;
    /** The debug data of the GOAWAY ending a PRIORITY flood. */
    static final String PRIORITY_FLOOD = "Too many PRIORITY frames";
    /** The debug data of the GOAWAY ending a flood of small WINDOW_UPDATE frames. */
    static final String WINDOW_UPDATE_FLOOD = "Too many small WINDOW_UPDATE frames";

    private final FrameBudget priorities;
    private final FrameBudget windowUpdates;

    ControlFloods(H2LimitsConfig limits) {
        super(LogLevel.TRACE, ControlFloods.class);
        priorities = new FrameBudget(limits.maxControlFramesPerWindow(), limits.resetWindow());
        windowUpdates = new FrameBudget(limits.maxControlFramesPerWindow(), limits.resetWindow());
    }

    @Override
    public void logPriority(Direction direction, ChannelHandlerContext ctx, int streamId, int streamDependency,
                            short weight, boolean exclusive) {
        if (direction == Direction.INBOUND && priorities.passesLimit()) {
            PeerCalm.endConnection(ctx, PRIORITY_FLOOD);
        }
    }

    @Override
    public void logWindowsUpdate(Direction direction, ChannelHandlerContext ctx, int streamId,
                                 int windowSizeIncrement) {
        if (direction == Direction.INBOUND && windowSizeIncrement < SMALL_INCREMENT && windowUpdates.passesLimit()) {
            PeerCalm.endConnection(ctx, WINDOW_UPDATE_FLOOD);
        }
    }
}
