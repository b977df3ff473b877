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
 */
final class H2Codecs {
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 8 << 20;
    /** Streams offered to a client when the upstream sets no limit of its own. */
    static final long MAX_STREAMS = 1000;

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
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(new Http2Settings().initialWindowSize(STREAM_WINDOW)
                        .maxConcurrentStreams(clientMaxStreams(upstreamMaxStreams)))
                .build();
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
