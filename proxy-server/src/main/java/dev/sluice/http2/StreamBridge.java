package dev.sluice.http2;

import dev.sluice.config.Action;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcRequest;
import dev.sluice.policy.Decision;
import dev.sluice.relay.ProxyStatus;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import java.util.Locale;

/**
 * One client stream and the upstream stream opened for it: decides what happens to the pair when the request
 * arrives, when either side resets or dies, and reports the exchange once both stream channels are closed.
 *
 * <p>Call rules gate every request whose path names a service and method ({@link GrpcRequest#ofPath}), whatever its
 * content type, since other protocols reach the same handlers (Connect, for one); a denied request never reaches the
 * origin. A gRPC call is answered by Sluice itself, with a gRPC status, when a call rule denies it
 * ({@code PERMISSION_DENIED}) or when the upstream fails it before the client has the whole response
 * ({@code UNAVAILABLE}, see {@link GrpcAnswer#forUpstreamReset}); a denied request of another kind gets {@code 403}
 * with a {@code proxy-status} naming the rule, and other failed requests get RST_STREAM.
 */
final class StreamBridge {
    /** RFC 9110 §15.5.20 421 Misdirected Request. */
    private static final String MISDIRECTED = "421";
    private static final String FORBIDDEN = "403";
    private static final AsciiString PROXY_STATUS = AsciiString.cached(ProxyStatus.FIELD.toLowerCase(Locale.ROOT));

    private final ConnectionPair pair;
    private final StreamLeg client;
    private final ExchangeMeter meter;
    private StreamLeg upstream;
    private boolean requestSeen;
    private boolean bridged;
    private boolean opening;
    private boolean finished;
    /** Stream channels open: the client's from the start, the upstream's once opened. */
    private int openLegs = 1;
    private String error;
    /** The origin reset the stream with NO_ERROR after the whole response: the exchange completed early, not failed. */
    private boolean completedEarly;
    /** The request as a gRPC call; null when it is not one. */
    private GrpcRequest grpc;

    StreamBridge(ConnectionPair pair) {
        this.pair = pair;
        this.client = new StreamLeg(this, true);
        this.meter = new ExchangeMeter(pair.settings().grpcCallView());
    }

    StreamLeg clientLeg() {
        return client;
    }

    void headers(StreamLeg from, Http2HeadersFrame head) {
        if (from.isClient && !requestSeen) {
            requestSeen = true;
            open(head);
            return;
        }
        if (!from.isClient) {
            meter.response(head.headers());
        }
        from.relay(head);
    }

    /** A DATA frame's content from {@code from}, about to be relayed: read only, its indexes left alone. */
    void data(StreamLeg from, ByteBuf content) {
        if (from.isClient) {
            meter.up(content);
        } else {
            meter.down(content);
        }
        pair.relayed(from.isClient, content.readableBytes());
    }

    /** The request head arrived: open its upstream stream and send the head, or refuse the stream. */
    private void open(Http2HeadersFrame head) {
        grpc = GrpcRequest.of(head.headers());
        meter.request(head.headers(), grpc);
        if (!pair.servesAuthority(head.headers())) {
            // The origin would serve it as another virtual host than the one the client's TLS session was for.
            record("misdirected_request");
            client.answer(new DefaultHttp2Headers().status(MISDIRECTED));
            return;
        }
        if (!pair.settings().callGate().gatesNothing()) {
            GrpcRequest call = grpc != null ? grpc : GrpcRequest.ofPath(head.headers().path());
            if (call.named() && denied(call)) {
                return;
            }
        }
        if (!pair.acceptsStreams()) {
            refuse();
            return;
        }
        bridged = true;
        opening = true;
        pair.streamOpened();
        pair.openUpstreamStream().addListener((Future<Http2StreamChannel> opened) -> {
            opening = false;
            if (!opened.isSuccess()) {
                refuse();
                maybeFinish();
                return;
            }
            StreamLeg leg = new StreamLeg(this, false);
            opened.getNow().pipeline().addLast("h2-leg", leg);
            upstream = leg;
            openLegs++;
            client.pairWith(leg);
            if (!client.isOpen()) {
                leg.abort(Http2Error.CANCEL);
                return;
            }
            // A stream the upstream cannot take now (its concurrency limit, a GOAWAY) fails on its first HEADERS.
            client.relay(head).addListener(written -> {
                if (!written.isSuccess()) {
                    refuse();
                }
            });
            client.readIfPeerWritable();
            leg.readIfPeerWritable();
            opened.getNow().flush();
        });
    }

    /**
     * Asks the call rules about the call the path names; a denied one is answered here: {@code PERMISSION_DENIED} for
     * a gRPC call, {@code 403} for another request.
     */
    private boolean denied(GrpcRequest call) {
        Decision decision = pair.settings().callGate().decide(call.service(), call.method());
        if (decision.action() != Action.DENY) {
            return false;
        }
        record("grpc_denied");
        GrpcAnswer answer = GrpcAnswer.denied(decision.rule());
        if (grpc != null) {
            answerGrpc(answer);
        } else {
            meter.answered(call, answer);
            client.answer(new DefaultHttp2Headers().status(FORBIDDEN)
                    .set(PROXY_STATUS, ProxyStatus.of("http_request_denied", answer.message())));
        }
        return true;
    }

    /**
     * Whether Sluice may still end the client's stream with a gRPC status of its own: the request is a gRPC call
     * and the client has not had the whole response.
     */
    private boolean answersGrpc() {
        return grpc != null && client.isOpen() && !client.outputEnded();
    }

    /** Ends the client's call with Sluice's status: trailers-only before any response head, else trailers. */
    private void answerGrpc(GrpcAnswer answer) {
        meter.answered(grpc, answer);
        client.answer(client.headed() ? answer.trailers() : answer.trailersOnly());
    }

    /**
     * Sluice answers {@code leg}'s stream itself ({@link StreamLeg#answer}): an answer to the client is the
     * exchange's response, so the meter (and a gRPC call's view, for a trailers-only status) sees it.
     */
    void answering(StreamLeg leg, Http2Headers response) {
        if (leg.isClient) {
            meter.response(response);
        }
    }

    /**
     * The origin never got the stream (the pair is going away, or the upstream could not take it): RST_STREAM
     * {@code REFUSED_STREAM}, for gRPC calls too; gRPC clients read it as UNAVAILABLE with nothing processed, and
     * retry transparently (on a new connection after a GOAWAY), which a status of Sluice's would prevent.
     */
    private void refuse() {
        record("refused_stream");
        client.abort(Http2Error.REFUSED_STREAM);
        if (upstream != null) {
            upstream.abort(Http2Error.CANCEL);
        }
    }

    /** A RST_STREAM arrived on {@code from}: pass its code to the other side. */
    void reset(StreamLeg from, long code) {
        Http2Error error = Http2Error.valueOf(code);
        if (error == null) {
            error = Http2Error.INTERNAL_ERROR;
        }
        if (from.isClient) {
            record("client_reset");
        } else if (error == Http2Error.NO_ERROR && client.outputEnded()) {
            // The response is whole; the origin only tells the client to stop sending (RFC 9113 §8.1, grpc-go).
            completedEarly = true;
        } else {
            record(error == Http2Error.REFUSED_STREAM ? "refused_stream" : "upstream_reset");
        }
        if (from.peer() == null) {
            return;
        }
        GrpcAnswer answer = from.isClient ? null : GrpcAnswer.forUpstreamReset(error);
        if (answer != null && answersGrpc()) {
            answerGrpc(answer);
        } else {
            // A client's cancel or deadline reaches the origin as it was sent; an origin's reply to it finds the
            // client stream gone.
            from.peer().abort(error);
        }
    }

    /** A stream channel closed; if its stream did not end both ways, its connection went: reset the other side. */
    void closed(StreamLeg leg) {
        if (!leg.ended() && leg.peer() != null && !completedEarly) {
            if (leg.isClient) {
                record("client_closed");
                leg.peer().abort(Http2Error.CANCEL);
            } else if (leg.unprocessed()) {
                record("refused_stream");
                leg.peer().abort(Http2Error.REFUSED_STREAM);
            } else {
                record("upstream_closed");
                if (answersGrpc()) {
                    answerGrpc(GrpcAnswer.unavailable(leg.connectionOpen() ? "upstream stream failed"
                            : "upstream connection closed"));
                } else {
                    leg.peer().abort(Http2Error.INTERNAL_ERROR);
                }
            }
        }
        openLegs--;
        maybeFinish();
    }

    /** The first failure names the exchange's error. */
    private void record(String reason) {
        if (error == null) {
            error = reason;
        }
    }

    private void maybeFinish() {
        if (openLegs > 0 || opening || finished) {
            return;
        }
        finished = true;
        pair.exchanged(meter.record(error), bridged);
    }
}
