package dev.sluice.http2;

import dev.sluice.config.HostNames;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The two HTTP/2 connections of one bridge: installs their codecs (the client's only once the upstream's first
 * SETTINGS are known, so the client is offered the upstream's stream limit; its bytes stay unread until then),
 * counts streams and bytes, refuses new streams once either side sent GOAWAY, closes both connections when the last
 * stream ends after a GOAWAY or when no stream was open for the idle timeout, and reports the end once.
 */
final class ConnectionPair {
    private static final String UPSTREAM_RESET = "upstream_reset";
    private static final AsciiString HOST = AsciiString.cached("host");
    /** How long the streams of a lost upstream connection may take to give the client their answers. */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(10);

    private final Channel client;
    private final Channel upstream;
    private final HttpRelayObserver observer;
    private final BridgeSettings settings;
    private Http2StreamChannelBootstrap upstreamStreams;
    private ScheduledFuture<?> idleClose;
    /** Set once the upstream connection died with streams open: closes both should a client not take its answers. */
    private ScheduledFuture<?> answerGrace;
    private boolean clientInstalled;
    private boolean goingAway;
    private boolean closing;
    private boolean reported;
    private String error;
    /** Streams bridged and not yet ended. */
    private int streams;
    /** Client streams whose exchange is not yet reported, bridged or not. */
    private int exchangesOpen;
    private int channelsClosed;
    private long bytesUp;
    private long bytesDown;

    ConnectionPair(Channel client, Channel upstream, BridgeSettings settings, HttpRelayObserver observer) {
        this.settings = settings;
        this.client = client;
        this.upstream = upstream;
        this.observer = observer;
    }

    BridgeSettings settings() {
        return settings;
    }

    void start() {
        // HTTP/2 has no half-closed connection: a FIN from either peer ends that connection, and with it the pair.
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        upstream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        holdEarlyBytes(client);
        holdEarlyBytes(upstream);
        client.closeFuture().addListener(f -> connectionClosed("client_reset"));
        upstream.closeFuture().addListener(f -> upstreamClosed());
        Http2FrameCodec codec = H2Codecs.upstream(settings.h2());
        codec.connection().addListener(new PeerAbuse(upstream, PeerAbuse.UPSTREAM, this::abused));
        install(upstream, codec, new Http2MultiplexHandler(new NoPushedStreams()), true);
        upstreamStreams = new Http2StreamChannelBootstrap(upstream).option(ChannelOption.AUTO_READ, false);
        armIdleClose();
    }

    private static void holdEarlyBytes(Channel channel) {
        if (channel.pipeline().get(EarlyBytes.class) == null) {
            channel.pipeline().addLast(EarlyBytes.NAME, new EarlyBytes());
        }
    }

    private void install(Channel channel, Http2FrameCodec codec, Http2MultiplexHandler streams, boolean isUpstream) {
        if (!channel.isActive()) {
            return;
        }
        channel.pipeline()
                // Streams flush once per read burst each; this makes that one socket write per event-loop turn.
                .addLast("h2-flush", new FlushConsolidationHandler(
                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                .addLast("h2", codec)
                .addLast("h2-streams", streams)
                .addLast("h2-connection", new ConnectionWatcher(this, isUpstream));
        H2Codecs.widenConnectionWindow(channel, codec);
        channel.flush();
        channel.pipeline().remove(EarlyBytes.class);
        // HTTP/2 flow control is the backpressure from here on; the connection must keep reading to see it.
        channel.config().setAutoRead(true);
    }

    /** SETTINGS from the upstream: the first installs the client's codec; later ones update the stream limit. */
    void upstreamSettings(Http2Settings settings) {
        if (closing) {
            return;
        }
        if (!clientInstalled) {
            clientInstalled = true;
            Http2FrameCodec codec = H2Codecs.client(this.settings.h2(), settings.maxConcurrentStreams(),
                    new StreamRefusals(this.settings.h2(), observer::h2StreamRefused));
            codec.connection().addListener(new PeerAbuse(client, PeerAbuse.CLIENT, this::abused));
            install(client, codec, new Http2MultiplexHandler(new ClientStreams()), false);
        } else if (settings.maxConcurrentStreams() != null) {
            client.writeAndFlush(new DefaultHttp2SettingsFrame(new Http2Settings()
                    .maxConcurrentStreams(H2Codecs.clientMaxStreams(this.settings.h2(),
                            settings.maxConcurrentStreams()))));
        }
    }

    /** A GOAWAY from one side: tell the other side, take no new streams, close both once the open ones ended. */
    void goAway(boolean fromUpstream) {
        if (goingAway || closing) {
            return;
        }
        goingAway = true;
        Channel other = fromUpstream ? client : upstream;
        if (other.pipeline().get(Http2FrameCodec.class) != null) {
            other.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
        if (streams == 0) {
            closeBoth(null);
        }
    }

    /**
     * Sluice is stopping: the client hears GOAWAY (NO_ERROR) and opens no more streams, the open ones finish, then
     * both connections close as after a peer's GOAWAY.
     */
    void drain() {
        if (!clientInstalled) {
            closeBoth(null);
            return;
        }
        goAway(true);
    }

    /**
     * A codec is ending its connection with a GOAWAY error: the peer on {@code leg} abused the protocol. A client's
     * abuse names the pair's error; an origin's shows as the upstream's loss it causes.
     */
    private void abused(String leg, String kind) {
        if (error == null && leg.equals(PeerAbuse.CLIENT)) {
            error = "h2_" + kind;
        }
        observer.h2Abuse(leg, kind);
    }

    /**
     * Whether a request may go to this origin: its {@code :authority}, if any, and every {@code host} field name the
     * bumped host. Origins route by {@code host} when {@code :authority} is absent (nginx), and some by {@code host}
     * even beside one, so both are held to it.
     */
    boolean servesAuthority(Http2Headers head) {
        CharSequence authority = head.authority();
        if (authority != null && !names(authority)) {
            return false;
        }
        for (CharSequence host : head.getAll(HOST)) {
            if (!names(host)) {
                return false;
            }
        }
        return true;
    }

    private boolean names(CharSequence authority) {
        return HostNames.authorityNames(authority.toString(), settings.host());
    }

    boolean acceptsStreams() {
        return !goingAway && !closing;
    }

    Future<Http2StreamChannel> openUpstreamStream() {
        return upstreamStreams.open();
    }

    void streamOpened() {
        streams++;
        if (idleClose != null) {
            idleClose.cancel(false);
            idleClose = null;
        }
        observer.streamOpened();
    }

    void relayed(boolean fromClient, int bytes) {
        if (fromClient) {
            bytesUp += bytes;
            observer.bytesUp(bytes);
        } else {
            bytesDown += bytes;
            observer.bytesDown(bytes);
        }
    }

    /** A client stream's exchange ended; {@code bridged} when it had been counted by {@link #streamOpened}. */
    void exchanged(HttpExchangeRecord record, boolean bridged) {
        exchangesOpen--;
        observer.exchanged(record);
        if (bridged) {
            observer.streamClosed();
            if (--streams == 0) {
                if (goingAway) {
                    closeBoth(null);
                } else {
                    armIdleClose();
                }
            }
        }
        reportIfDone();
    }

    private void armIdleClose() {
        if (!closing) {
            idleClose = client.eventLoop().schedule(() -> closeBoth("idle_timeout"), settings.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Closes both connections; an HTTP/2 one says GOAWAY first. */
    void closeBoth(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        if (error == null) {
            error = reason;
        }
        if (idleClose != null) {
            idleClose.cancel(false);
        }
        if (answerGrace != null) {
            answerGrace.cancel(false);
        }
        client.close();
        upstream.close();
    }

    /**
     * The upstream connection closed. With streams still open the client connection stays up until they end: each
     * is answered first (a gRPC call gets its UNAVAILABLE status, see {@link StreamBridge}), the client hears GOAWAY
     * and opens no more; both close when the last ends, or after {@link #ANSWER_GRACE} should a client not take
     * its answers.
     */
    private void upstreamClosed() {
        if (closing || streams == 0 || !clientInstalled) {
            connectionClosed(UPSTREAM_RESET);
            return;
        }
        error = UPSTREAM_RESET;
        channelsClosed++;
        goAway(true);
        answerGrace = client.eventLoop().schedule(() -> closeBoth(null), ANSWER_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void connectionClosed(String reason) {
        closeBoth(reason);
        channelsClosed++;
        reportIfDone();
    }

    /** After both connections closed and every exchange was reported, so the connection is reported last. */
    private void reportIfDone() {
        if (channelsClosed == 2 && exchangesOpen == 0 && !reported) {
            reported = true;
            observer.closed(bytesUp, bytesDown, error);
        }
    }

    /** Each stream the client opens gets a bridge; its channel is read only when the bridge asks. */
    @ChannelHandler.Sharable
    private final class ClientStreams extends ChannelInitializer<Http2StreamChannel> {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.config().setAutoRead(false);
            exchangesOpen++;
            stream.pipeline().addLast("h2-leg", new StreamBridge(ConnectionPair.this).clientLeg());
        }
    }

    /** Sluice disables server push in its SETTINGS, so an upstream stream is never opened by the upstream. */
    @ChannelHandler.Sharable
    private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
