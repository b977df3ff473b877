package dev.sluice.http2;

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
 * streams do not stall the others.
 *
 * <p>Abuse: the client's codec holds a client to Netty's protections, each ending the connection with a GOAWAY
 * (ENHANCE_YOUR_CALM unless said otherwise; see {@link ClientAbuse}). The values are Netty's own server defaults
 * except where noted, stated here so an upgrade cannot loosen them unseen.
 */
final class H2Codecs {
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 8 << 20;
    /** Streams offered to a client when the upstream sets no limit of its own. */
    static final long MAX_STREAMS = 1000;
    /** Rapid Reset (CVE-2023-44487): RST_STREAM frames a client may send per {@link #RST_WINDOW_SECONDS}. */
    static final int MAX_RST_FRAMES = 200;
    static final int RST_WINDOW_SECONDS = 30;
    /**
     * RST_STREAM frames Sluice may send a client per window: a client provoking stream errors to make Sluice reset
     * (MadeYouReset, CVE-2025-55163) is a Rapid Reset by other means.
     */
    static final int MAX_SENT_RST_FRAMES = 200;
    /** DATA frames in a row with no payload and no END_STREAM: each costs work and moves no byte. */
    static final int MAX_EMPTY_DATA_FRAMES = 2;
    /**
     * Control frames (PING and SETTINGS acknowledgements, RST_STREAM) queued for a client that does not read them:
     * a PING or SETTINGS flood. Below Netty's 10,000: a client that reads never has more than a few queued.
     */
    static final int MAX_QUEUED_CONTROL_FRAMES = 1000;
    /** CONTINUATION frames in a row carrying too little to be legitimate; a larger flood hits the header limit. */
    static final int MAX_SMALL_CONTINUATION_FRAMES = 16;
    /**
     * Decoded size of a request's header list (HPACK bomb): a larger one is refused with 431 on its stream, and a
     * header block whose encoded size passes 1.25 times this ends the connection (PROTOCOL_ERROR). Netty's default
     * is 8 KiB; 16 KiB admits the large cookies and tokens browsers and gRPC clients send. Below the HTTP/1.1 legs'
     * {@code limits.maxHeaderBytes} (64 KiB by default) because an h2 client holds up to {@link #MAX_STREAMS} heads
     * at once where an HTTP/1.1 one holds one.
     */
    static final long MAX_HEADER_LIST_SIZE = 16 << 10;

    private H2Codecs() {
    }

    /** Sluice as the HTTP/2 client of the upstream; server push is refused in the SETTINGS. */
    static Http2FrameCodec upstream() {
        return Http2FrameCodecBuilder.forClient()
                .initialSettings(new Http2Settings().initialWindowSize(STREAM_WINDOW).pushEnabled(false))
                .build();
    }

    /**
     * Sluice as the HTTP/2 server of the client, offering at most as many concurrent streams as the upstream does.
     *
     * @param upstreamMaxStreams the upstream's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, null when it set none
     */
    static Http2FrameCodec client(Long upstreamMaxStreams) {
        return forClients(new Http2Settings().initialWindowSize(STREAM_WINDOW)
                .maxConcurrentStreams(clientMaxStreams(upstreamMaxStreams)))
                .build();
    }

    /**
     * Sluice as the HTTP/2 server of a client, held to the abuse limits above; {@code settings} gain the header list
     * limit. Each GOAWAY error it sends is reported by a {@link ClientAbuse} on its connection.
     */
    static Http2FrameCodecBuilder forClients(Http2Settings settings) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings.maxHeaderListSize(MAX_HEADER_LIST_SIZE))
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_SENT_RST_FRAMES, RST_WINDOW_SECONDS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_EMPTY_DATA_FRAMES)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES);
    }

    static long clientMaxStreams(Long upstreamMaxStreams) {
        return upstreamMaxStreams == null ? MAX_STREAMS : Math.min(upstreamMaxStreams, MAX_STREAMS);
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
