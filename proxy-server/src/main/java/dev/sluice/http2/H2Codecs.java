package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 codecs of the two legs of a bridge, with Sluice's flow-control windows.
 *
 * <p>Memory: a stream's DATA is held by Sluice until the other leg's stream accepts it, so each connection holds at
 * most {@link #CONNECTION_WINDOW} of unread request or response bytes; each stream at most {@link #STREAM_WINDOW}.
 * The stream window is what bounds a single download's throughput over a round trip (64 KiB, the protocol default,
 * holds a loopback 1 GiB download far below a direct one); the connection window is larger so a few stalled
 * streams do not stall the others. Besides DATA, a client's connection holds at most
 * {@code limits.h2.maxConcurrentStreams} request heads of at most {@code limits.h2.maxHeaderListSize} each, and
 * {@code limits.h2.maxQueuedControlFrames} unsent acknowledgements.
 *
 * <p>Abuse: both codecs hold their peer to Netty's protections as set in {@code limits.h2} ({@link H2LimitsConfig}),
 * and to {@link ControlFloods}, each ending the offending connection with a GOAWAY (ENHANCE_YOUR_CALM unless said
 * otherwise; see {@link PeerAbuse}). An origin cannot open streams, so only the frame floods and the header list limit
 * apply to it.
 */
final class H2Codecs {
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 8 << 20;

    private H2Codecs() {
    }

    /**
     * Sluice as the HTTP/2 client of the upstream; server push is refused in the SETTINGS. An origin past a limit
     * has its connection ended with a GOAWAY and each open stream answered as after any lost upstream.
     */
    static Http2FrameCodec upstream(H2LimitsConfig limits) {
        return floodLimited(Http2FrameCodecBuilder.forClient(), limits, new ControlFloods(limits))
                .initialSettings(new Http2Settings().initialWindowSize(STREAM_WINDOW).pushEnabled(false)
                        .maxHeaderListSize(limits.maxHeaderListSize()))
                .build();
    }

    /**
     * Sluice as the HTTP/2 server of the client, offering at most as many concurrent streams as the upstream does.
     *
     * @param upstreamMaxStreams the upstream's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, null when it set none
     * @param refusals           told of each stream the codec refuses on its own
     */
    static Http2FrameCodec client(H2LimitsConfig limits, Long upstreamMaxStreams, StreamRefusals refusals) {
        return forClients(new Http2Settings().initialWindowSize(STREAM_WINDOW)
                .maxConcurrentStreams(clientMaxStreams(limits, upstreamMaxStreams)), limits, refusals)
                .build();
    }

    /**
     * Sluice as the HTTP/2 server of a client, held to {@code limits}; {@code settings} gain the header list limit.
     * Each GOAWAY error it sends is reported by a {@link PeerAbuse} on its connection.
     *
     * @param floods the codec's frame logger: {@code new ControlFloods(limits)}, or a {@link StreamRefusals}
     */
    static Http2FrameCodecBuilder forClients(Http2Settings settings, H2LimitsConfig limits, ControlFloods floods) {
        int window = (int) limits.resetWindow().toSeconds();
        return floodLimited(Http2FrameCodecBuilder.forServer(), limits, floods)
                .initialSettings(settings.maxHeaderListSize(limits.maxHeaderListSize()))
                .decoderEnforceMaxRstFramesPerWindow(limits.maxResetsPerWindow(), window)
                // Resets a client provokes (MadeYouReset) are counted by StreamRefusals, which can tell them from the
                // origin's resets Sluice passes on; Netty's encoder limit cannot.
                .encoderEnforceMaxRstFramesPerWindow(0, 0);
    }

    /** The protections against frame floods, which either peer may send. */
    private static Http2FrameCodecBuilder floodLimited(Http2FrameCodecBuilder builder, H2LimitsConfig limits,
                                                       ControlFloods floods) {
        return builder
                .frameLogger(floods)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(limits.maxEmptyDataFrames())
                .encoderEnforceMaxQueuedControlFrames(limits.maxQueuedControlFrames())
                .decoderEnforceMaxSmallContinuationFrames(limits.maxSmallContinuationFrames());
    }

    /** The streams offered to a client: {@code limits.h2.maxConcurrentStreams}, or fewer when the upstream allows fewer. */
    static long clientMaxStreams(H2LimitsConfig limits, Long upstreamMaxStreams) {
        long max = limits.maxConcurrentStreams();
        return upstreamMaxStreams == null ? max : Math.min(upstreamMaxStreams, max);
    }

    /**
     * Grows the connection's receive window to {@link #CONNECTION_WINDOW} (a connection-level WINDOW_UPDATE; the
     * codec itself only grows it to about twice the stream window). The codec must be in the channel's pipeline.
     */
    static void widenConnectionWindow(Channel channel, Http2FrameCodec codec) {
        Http2Connection connection = codec.connection();
        int current = connection.local().flowController().initialWindowSize(connection.connectionStream());
        if (CONNECTION_WINDOW > current) {
            channel.write(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - current));
        }
    }
}
