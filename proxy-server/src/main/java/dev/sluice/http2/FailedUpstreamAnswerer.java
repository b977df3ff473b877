package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcRequest;
import dev.sluice.relay.HttpRelayObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an HTTP/2 client connection that has no upstream (the bump failed upstream; nothing is ever sent there):
 * every request is answered at once with one gRPC status, trailers-only, and its stream ended both ways (an
 * unfinished request is reset {@code NO_ERROR}, RFC 9113 §8.1, so its body is never read). At the end of the first
 * read that brought requests Sluice sends GOAWAY: requests already sent past it are the client's to retry on a new
 * connection (gRPC clients do that transparently), later ones are ignored by the codec. At most
 * {@link #MAX_ANSWERS} requests are answered; the GOAWAY goes at once when that many came in one read.
 *
 * <p>Once the GOAWAY is out Sluice ends its side of the connection (TLS close_notify, then FIN) and reads on until
 * the client closes too, which it does on reading that end behind its answers: a socket closed with client bytes
 * still unread (a SETTINGS acknowledgement, a WINDOW_UPDATE) would send RST, which can destroy the answers before the
 * client reads them. {@link #BOUND} after the start the connection is closed whatever the client does. Nothing is
 * buffered beyond the answers themselves: request bodies are dropped by the codec, which also bounds control
 * frames.
 */
public final class FailedUpstreamAnswerer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FailedUpstreamAnswerer.class);
    /** The longest such a connection lasts. */
    static final Duration BOUND = Duration.ofSeconds(5);
    /** Requests answered on one connection at most; also the concurrent streams offered. */
    static final int MAX_ANSWERS = 100;

    private final GrpcAnswer answer;
    private final String error;
    private final boolean grpcCallView;
    private final HttpRelayObserver observer;
    private ScheduledFuture<?> bound;
    private int answered;
    private boolean goneAway;
    private boolean hungUp;

    private FailedUpstreamAnswerer(GrpcAnswer answer, String error, boolean grpcCallView, HttpRelayObserver observer) {
        this.answer = answer;
        this.error = error;
        this.grpcCallView = grpcCallView;
        this.observer = observer;
    }

    /**
     * Takes over {@code client}: preconditions as for {@link H2Bridge#start} (on its event loop, AUTO_READ off, TLS
     * done with {@code h2}, the {@code SslHandler} the last handler). Each request is reported to
     * {@link HttpRelayObserver#exchanged} with {@code error}; {@link HttpRelayObserver#closed} is called once, with
     * {@code error} and no bytes, when the connection has closed.
     *
     * @param answer       what every request gets, e.g. {@link GrpcAnswer#unavailable}
     * @param error        the reason the upstream failed, for the records, e.g. {@code connect_refused}
     * @param grpcCallView {@code grpc.callView}: whether a call's record carries the full per-call view
     * @param limits       {@code limits.h2}, which the client is held to as on a bridge
     */
    public static void start(Channel client, GrpcAnswer answer, String error, boolean grpcCallView,
                             H2LimitsConfig limits, HttpRelayObserver observer) {
        start(client, answer, error, grpcCallView, limits, observer, BOUND);
    }

    static void start(Channel client, GrpcAnswer answer, String error, boolean grpcCallView, H2LimitsConfig limits,
                      HttpRelayObserver observer, Duration bound) {
        if (!client.eventLoop().inEventLoop()) {
            throw new IllegalStateException("an answerer must start on its channel's event loop");
        }
        FailedUpstreamAnswerer answerer = new FailedUpstreamAnswerer(answer, error, grpcCallView, observer);
        client.closeFuture().addListener(closed -> answerer.closed());
        if (!client.isActive()) {
            return;
        }
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        Http2FrameCodec codec = H2Codecs.forClients(new Http2Settings().maxConcurrentStreams(MAX_ANSWERS), limits,
                        new ControlFloods(limits))
                // No stream outlives its answer, so a close has nothing to wait for.
                .gracefulShutdownTimeoutMillis(0)
                .build();
        codec.connection().addListener(new PeerAbuse(client, PeerAbuse.CLIENT, observer::h2Abuse));
        client.pipeline().addLast("h2", codec).addLast("h2-answer", answerer);
        answerer.bound = client.eventLoop().schedule((Runnable) client::close, bound.toNanos(), TimeUnit.NANOSECONDS);
        client.flush();
        client.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame head && answered < MAX_ANSWERS) {
            answer(ctx, head);
            if (answered == MAX_ANSWERS) {
                goAway(ctx);
            }
        }
        // Anything else (SETTINGS, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY) the codec has dealt with already.
        ReferenceCountUtil.release(msg);
    }

    private void answer(ChannelHandlerContext ctx, Http2HeadersFrame head) {
        answered++;
        ExchangeMeter meter = new ExchangeMeter(grpcCallView);
        GrpcRequest call = GrpcRequest.of(head.headers());
        meter.request(head.headers(), call);
        Http2Headers response = answer.trailersOnly();
        meter.response(response);
        if (call != null) {
            meter.answered(call, answer);
        }
        ctx.write(new DefaultHttp2HeadersFrame(response, true).stream(head.stream()));
        if (!head.isEndStream()) {
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR).stream(head.stream()));
        }
        observer.exchanged(meter.record(error));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (answered > 0 && !hungUp) {
            hungUp = true;
            goAway(ctx);
            ctx.flush();
            hangUp(ctx);
        } else {
            ctx.flush();
        }
    }

    /** The codec names the last stream it created, and ignores every later one. */
    private void goAway(ChannelHandlerContext ctx) {
        if (!goneAway) {
            goneAway = true;
            ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
    }

    /**
     * After the GOAWAY nothing more is owed: Sluice's side of the connection ends (TLS close_notify, then FIN) and the
     * client, reading the end behind its answers, closes too. Reading goes on until it does, so no unread byte can
     * turn the close into a reset.
     */
    private static void hangUp(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        Future<?> ended = tls == null ? ctx.newSucceededFuture() : tls.closeOutbound();
        ended.addListener(done -> {
            if (ctx.channel() instanceof DuplexChannel duplex && done.isSuccess()) {
                duplex.shutdownOutput();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A connection error the codec raised: it sends the GOAWAY and closes; ClientAbuse logs and counts it.
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            log.debug("h2 answering connection {}: {}", ctx.channel(), cause.toString());
            return;
        }
        if (cause instanceof IOException) {
            log.debug("h2 answering connection {}: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("h2 answering connection {} failed", ctx.channel(), cause);
        }
        ctx.close();
    }

    private void closed() {
        if (bound != null) {
            bound.cancel(false);
        }
        observer.closed(0, 0, error);
    }
}
