package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.util.function.Consumer;

/**
 * Hears each stream refused to a client: RST_STREAM REFUSED_STREAM (past {@code limits.h2.maxConcurrentStreams}, or a
 * stream the pair or the origin could not take) and a {@code 431} (a header list past
 * {@code limits.h2.maxHeaderListSize}). Netty's codec refuses the first and answers the second on its own, before any
 * stream channel exists, so no handler sees them: its frame logger, which sees every frame it writes, is the one hook.
 * Logs nothing itself. Being the client codec's frame logger, it also guards against {@link ControlFloods}.
 *
 * <p>Each 431 costs Sluice the decoding of a header block a client may have made small to encode and huge to decode
 * (an HPACK bomb: one large field, then indexed copies of it), and a client gains nothing by sending one again. So a
 * client drawing more than {@link #MAX_OVERSIZED_HEADER_LISTS} of them per {@code limits.h2.resetWindow} has its
 * connection ended with GOAWAY ENHANCE_YOUR_CALM ({@link #OVERSIZED_HEADER_LISTS}).
 *
 * <p>It also holds the client to {@code limits.h2.maxResetsPerWindow} for the resets it provokes (MadeYouReset):
 * every RST_STREAM Sluice sends the client other than CANCEL and NO_ERROR counts, except those a {@link StreamLeg}
 * sends under {@link #SLUICE_RESET} — an origin's reset passed on, or a stream the origin could not take — which the
 * client did not cause. Netty's own encoder limit is not used for this: it counts those relayed resets too, so an
 * origin resetting streams got an innocent client's connection ended.
 */
final class StreamRefusals extends ControlFloods {
    /** A stream refused with REFUSED_STREAM, which a client may retry. */
    static final String REFUSED_STREAM = "refused_stream";
    /** A request refused with 431 for its header list. */
    static final String HEADER_LIST_SIZE = "header_list_size";

    /**
     * 431s a client may draw per window: far more than a browser or gRPC client whose requests grew too large ever
     * sends on one connection (it gets the same answer each time), far fewer than a bomb needs to cost anything.
     */
    static final int MAX_OVERSIZED_HEADER_LISTS = 10;
    /** The debug data of the GOAWAY ending a client past {@link #MAX_OVERSIZED_HEADER_LISTS}. */
    static final String OVERSIZED_HEADER_LISTS = "Too many header lists past the limit";

    /** The debug data of the GOAWAY ending a client that provoked more resets than allowed. */
    static final String PROVOKED_RESETS = "Too many RST frames provoked by the client";
    /**
     * Set on a client connection's channel, to the stream's id, while a {@link StreamLeg} resets one of its streams
     * for a reason that is not the client's. Written and read on the connection's event loop, during the reset's write.
     */
    static final AttributeKey<Integer> SLUICE_RESET = AttributeKey.valueOf("sluice.h2.sluiceReset");

    private static final AsciiString TOO_LARGE = AsciiString.cached("431");

    private final Consumer<String> report;
    private final FrameBudget oversizedHeaderLists;
    private final FrameBudget provokedResets;

    /**
     * @param limits the connection's {@code limits.h2}
     * @param report given the reason of each refusal
     */
    StreamRefusals(H2LimitsConfig limits, Consumer<String> report) {
        super(limits);
        this.report = report;
        this.oversizedHeaderLists = new FrameBudget(MAX_OVERSIZED_HEADER_LISTS, limits.resetWindow());
        this.provokedResets = new FrameBudget(limits.maxResetsPerWindow(), limits.resetWindow());
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        if (direction != Direction.OUTBOUND) {
            return;
        }
        if (errorCode == Http2Error.REFUSED_STREAM.code()) {
            report.accept(REFUSED_STREAM);
        }
        if (errorCode != Http2Error.CANCEL.code() && errorCode != Http2Error.NO_ERROR.code()
                && !Integer.valueOf(streamId).equals(ctx.channel().attr(SLUICE_RESET).get())
                && provokedResets.passesLimit()) {
            PeerCalm.endConnection(ctx, PROVOKED_RESETS);
        }
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                           int padding, boolean endStream) {
        CharSequence status = headers.status();
        if (direction == Direction.OUTBOUND && endStream && status != null && TOO_LARGE.contentEquals(status)) {
            report.accept(HEADER_LIST_SIZE);
            if (oversizedHeaderLists.passesLimit()) {
                PeerCalm.endConnection(ctx, OVERSIZED_HEADER_LISTS);
            }
        }
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                           int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
        logHeaders(direction, ctx, streamId, headers, padding, endStream);
    }
}
