package dev.sluice.http1;

import dev.sluice.config.Action;
import dev.sluice.config.HostNames;
import dev.sluice.grpc.CallGate;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcRequest;
import dev.sluice.policy.Decision;
import dev.sluice.relay.ClientTimeouts;
import dev.sluice.relay.Drain;
import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.relay.SilenceTimer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays HTTP/1.1 requests of a bumped connection to its upstream connection, one exchange at a time: the client
 * pipeline decodes requests ({@code HttpServerCodec}), the upstream pipeline responses ({@code HttpClientCodec}),
 * and heads and body pieces are passed on as they arrive, never aggregated.
 *
 * <p>Backpressure: the client is read only while its request is unfinished (or none is in flight) and the
 * upstream is writable; the upstream only while the client is writable. A request the client pipelined behind
 * the current one waits, decoded, until the current response is complete.
 *
 * <p>Clocks ({@link ClientTimeouts}, as at the front door): a request head must arrive within {@code requestHeader}
 * of its first byte (else {@code 408}); a body must not stall for {@code idleTimeout} (else {@code 408}); a connection
 * with no request in flight is closed after {@code idleTimeout}.
 *
 * <p>On {@link Drain#EVENT} a pair between requests closes at once; one in an exchange finishes it with
 * {@code Connection: close}.
 *
 * <p>A 101 ends HTTP on the pair: once it is relayed both codecs are removed and a raw relay carries on
 * with whatever bytes they had buffered. A {@code Connection: close} from either side, an origin response
 * delimited by closing, or a peer going away closes both after the exchange; a response cut short is cut short
 * for the client too.
 */
public final class BumpedHttp1Relay {
    static final String CODEC = "http-codec";
    static final String RELAY = "http1-relay";
    static final String CLOCKS = "http1-clocks";

    /** RFC 9110 §15.5.20. */
    private static final HttpResponseStatus MISDIRECTED = new HttpResponseStatus(421, "Misdirected Request");
    private static final Logger log = LoggerFactory.getLogger(BumpedHttp1Relay.class);

    private final Channel client;
    private final Channel upstream;
    private final Duration idleTimeout;
    private final Duration requestHeader;
    private final ClientTimeouts timeouts;
    private final HttpRelayObserver observer;
    /** The normalized name the client's TLS session is for; requests must not name another. */
    private final String host;
    private final CallGate callGate;
    /** Client messages of requests pipelined behind the current one. */
    private final ArrayDeque<HttpObject> waiting = new ArrayDeque<>();
    private BumpedExchange current;
    /** An origin silent for the idle timeout while an exchange waits on it ends that exchange. */
    private final SilenceTimer upstreamSilence;
    private boolean clientInputClosed;
    private boolean closing;
    private boolean handedOver;
    /** Sluice is stopping ({@link Drain#EVENT}): no exchange after the current one. */
    private boolean draining;
    private long bytesUp;
    private long bytesDown;
    private String error;
    private int channelsClosed;

    private BumpedHttp1Relay(Channel client, Channel upstream, Duration idleTimeout, Duration requestHeader,
                             String host, CallGate callGate, HttpRelayObserver observer) {
        this.requestHeader = requestHeader;
        this.timeouts = new ClientTimeouts(idleTimeout, requestHeader);
        this.host = host;
        this.callGate = callGate;
        this.client = client;
        this.upstream = upstream;
        this.idleTimeout = idleTimeout;
        this.observer = observer;
        this.upstreamSilence = new SilenceTimer(client.eventLoop(), idleTimeout.toNanos(), client::isWritable,
                () -> fail(HttpResponseStatus.GATEWAY_TIMEOUT, "http_response_timeout",
                        "the origin sent nothing for " + idleTimeout.toMillis() + " ms", "upstream_timeout"));
    }

    /**
     * Takes over both channels. Preconditions: both run on the caller's event loop, AUTO_READ off, TLS handshakes
     * completed (ALPN {@code http/1.1} or none), the {@code SslHandler} the only handler left in each pipeline,
     * nothing read yet past the handshakes. Closes both channels when done and then calls
     * {@link HttpRelayObserver#closed} once.
     *
     * @param idleTimeout   the pair is closed after this long with no request in flight, or a request body stalled,
     *                      or a request in flight and nothing from the origin (504 before the response head, the
     *                      client cut off after it)
     * @param requestHeader a request head must be whole this long after its first byte
     * @param requests      limits on the client's request lines and headers, as at the front door
     * @param host        the normalized name the client's TLS session is for: a request whose {@code Host} names
     *                    another host is answered {@code 421} and never reaches the origin
     * @param callGate    decides requests whose path names a service and method ({@link GrpcRequest#ofPath}); a
     *                    denied one is answered {@code 403} and never reaches the origin
     */
    public static void start(Channel client, Channel upstream, Duration idleTimeout, Duration requestHeader,
                             HttpDecoderConfig requests, String host, CallGate callGate, HttpRelayObserver observer) {
        if (!client.eventLoop().inEventLoop() || !upstream.eventLoop().inEventLoop()) {
            throw new IllegalStateException("both legs of a relay must run on the caller's event loop");
        }
        BumpedHttp1Relay relay = new BumpedHttp1Relay(client, upstream, idleTimeout, requestHeader, host, callGate,
                observer);
        client.pipeline().addLast(CLOCKS, relay.timeouts).addLast(CODEC, new HttpServerCodec(requests))
                .addLast(RELAY, relay.new Side(true));
        upstream.pipeline().addLast(CODEC, new HttpClientCodec()).addLast(RELAY, relay.new Side(false));
        client.closeFuture().addListener(f -> relay.channelClosed());
        upstream.closeFuture().addListener(f -> relay.channelClosed());
        if (!client.isActive() || !upstream.isActive()) {
            relay.closeBoth(null);
            return;
        }
        // A read stays pending on the upstream even between exchanges, so that its closing is noticed.
        upstream.read();
        relay.awaitRequest();
    }

    // ---- requests, from the client

    private void clientRead(Object msg) {
        if (closing || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
        } else if (current == null) {
            requestHead(object);
        } else if (!current.requestComplete && object instanceof HttpContent content) {
            requestContent(content);
        } else {
            waiting.add(object);
        }
    }

    private void requestHead(HttpObject msg) {
        if (!(msg instanceof HttpRequest request)) {
            // The rest of a body whose exchange already ended; the connection is closing.
            ReferenceCountUtil.release(msg);
            return;
        }
        // Until its last piece arrives; a head and an empty last piece come in one read.
        timeouts.readingBody();
        if (request.decoderResult().isFailure()) {
            current = BumpedExchange.malformed();
            ReferenceCountUtil.release(request);
            Throwable cause = request.decoderResult().cause();
            // The same answers the front door gives for the same limits (limits.maxRequestLine, maxHeaderBytes).
            if (cause instanceof TooLongHttpLineException) {
                fail(ProxyErrorResponse.URI_TOO_LONG, "http_request_error", "request line too long", "request_line_too_long");
            } else if (cause instanceof TooLongHttpHeaderException) {
                fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "http_request_error",
                        "request headers too large", "headers_too_large");
            } else {
                fail(HttpResponseStatus.BAD_REQUEST, "http_request_error", "malformed request: " + cause.getMessage(),
                        "bad_request");
            }
            return;
        }
        current = BumpedExchange.of(request);
        String coding = TransferCoding.unsupported(request.headers());
        if (coding != null) {
            ReferenceCountUtil.release(request);
            fail(HttpResponseStatus.NOT_IMPLEMENTED, "http_request_error", "Transfer-Encoding " + coding
                    + " is not supported", "not_implemented");
            return;
        }
        HttpRequest head = OriginFormRequest.from(request);
        String misdirected = otherHost(head);
        if (misdirected != null) {
            // The origin would serve it as another virtual host than the one the client's TLS session was for.
            ReferenceCountUtil.release(request);
            fail(MISDIRECTED, "http_request_denied", "Host " + misdirected + " is not " + host, "misdirected_request");
            return;
        }
        GrpcAnswer denial = denial(head);
        if (denial != null) {
            ReferenceCountUtil.release(request);
            fail(HttpResponseStatus.FORBIDDEN, "http_request_denied", denial.message(), "grpc_denied");
            return;
        }
        if (UpgradeHeaders.present(request.headers())) {
            UpgradeHeaders.restore(request.headers(), head.headers());
        }
        upstream.write(head, upstream.voidPromise());
        upstreamSilence.start();
    }

    /**
     * A {@code Host} of the head bound for the origin (an absolute-form target's host is put there) that names another
     * host than the bumped one, or null when every one names it; origins may route by any of several.
     */
    private String otherHost(HttpRequest head) {
        for (String authority : head.headers().getAll(HttpHeaderNames.HOST)) {
            if (!HostNames.authorityNames(authority, host)) {
                return authority;
            }
        }
        return null;
    }

    /**
     * Sluice's answer when a call rule denies the call the origin-form target names (gRPC-Web and Connect clients
     * speak HTTP/1.1 too), noted on the exchange for its record; else null.
     */
    private GrpcAnswer denial(HttpRequest head) {
        if (callGate.gatesNothing()) {
            return null;
        }
        GrpcRequest call = GrpcRequest.ofPath(head.uri());
        if (!call.named()) {
            return null;
        }
        Decision decision = callGate.decide(call.service(), call.method());
        if (decision.action() != Action.DENY) {
            return null;
        }
        GrpcAnswer answer = GrpcAnswer.denied(decision.rule());
        current.denied = answer.record(call);
        return answer;
    }

    private void requestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(HttpResponseStatus.BAD_REQUEST, "http_request_error", "malformed request body", "bad_request");
            return;
        }
        count(content, true);
        upstreamSilence.activity();
        if (content instanceof LastHttpContent) {
            current.requestComplete = true;
            timeouts.requestReceived();
        }
        upstream.write(content, upstream.voidPromise());
    }

    private void clientReadComplete() {
        upstream.flush();
        readClientIfWanted();
    }

    /** Reads the next request, or more of the current one, while the upstream can take it. */
    private void readClientIfWanted() {
        boolean wanted = current == null ? waiting.isEmpty() : !current.requestComplete;
        if (wanted && !closing && upstream.isWritable()) {
            client.read();
        }
    }

    // ---- responses, from the upstream

    private void upstreamRead(Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current == null || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            log.debug("upstream {} spoke out of turn; closing", upstream);
            closeBoth("upstream_protocol_error");
            return;
        }
        upstreamSilence.activity();
        if (object.decoderResult().isFailure()) {
            Throwable cause = object.decoderResult().cause();
            ReferenceCountUtil.release(object);
            if (cause instanceof PrematureChannelClosureException) {
                fail(HttpResponseStatus.BAD_GATEWAY, "http_response_incomplete", "the origin closed mid-response",
                        "upstream_closed");
            } else {
                fail(HttpResponseStatus.BAD_GATEWAY, "http_protocol_error",
                        "malformed response: " + cause.getMessage(), "upstream_protocol_error");
            }
            return;
        }
        if (object instanceof HttpResponse response) {
            responseHead(response);
        }
        if (object instanceof HttpContent content) {
            responseContent(content);
        }
    }

    private void responseHead(HttpResponse response) {
        BumpedExchange exchange = current;
        HttpResponseStatus status = response.status();
        if (status.codeClass() == HttpStatusClass.INFORMATIONAL) {
            exchange.switching = status.code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            exchange.informational = !exchange.switching;
            HttpResponse head = ClientResponseHead.from(response, exchange.clientVersion, exchange.method, true);
            if (exchange.switching) {
                exchange.status = status.code();
                UpgradeHeaders.restore(response.headers(), head.headers());
                client.write(head, client.voidPromise());
            } else if (!exchange.clientSpeaksHttp10()) {
                // HTTP/1.0 has no 1xx responses (RFC 9110 §15.2): such a client only gets the final one.
                client.write(head, client.voidPromise());
            }
            return;
        }
        exchange.status = status.code();
        exchange.responseStarted = true;
        boolean bodyless = ClientResponseHead.bodyless(exchange.method, status);
        exchange.upstreamReusable = HttpUtil.isKeepAlive(response)
                && (bodyless || HttpUtil.isContentLengthSet(response) || HttpUtil.isTransferEncodingChunked(response));
        HttpResponse head = ClientResponseHead.from(response, exchange.clientVersion, exchange.method,
                exchange.clientKeepAlive && exchange.requestComplete && exchange.upstreamReusable
                        && !clientInputClosed && !draining);
        exchange.keepClient = HttpUtil.isKeepAlive(head);
        client.write(head, client.voidPromise());
    }

    private void responseContent(HttpContent content) {
        BumpedExchange exchange = current;
        boolean last = content instanceof LastHttpContent;
        if (exchange.switching || exchange.informational) {
            boolean relayed = exchange.switching || !exchange.clientSpeaksHttp10();
            exchange.informational &= !last;
            if (relayed) {
                client.write(content, client.voidPromise());
            } else {
                content.release();
            }
            if (last && exchange.switching) {
                switchProtocols();
            }
            return;
        }
        count(content, false);
        client.write(content, client.voidPromise());
        if (last) {
            exchangeDone();
        }
    }

    /** Counts a body piece going up (client to origin) or down, for the exchange and the connection. */
    private void count(HttpContent content, boolean up) {
        int n = content.content().readableBytes();
        if (n == 0) {
            return;
        }
        if (up) {
            current.bytesUp += n;
            bytesUp += n;
            observer.bytesUp(n);
        } else {
            current.bytesDown += n;
            bytesDown += n;
            observer.bytesDown(n);
        }
    }

    private void upstreamReadComplete() {
        client.flush();
        if (!closing && client.isWritable()) {
            upstream.read();
        }
    }

    // ---- the pair

    /** The response is complete: the pair goes on only if both ends and the framing allow it. */
    private void exchangeDone() {
        BumpedExchange done = current;
        current = null;
        upstreamSilence.stop();
        observer.exchanged(done.record(null));
        // An origin that answered before the request ended has nothing to pair the rest of the body with.
        if (!(done.requestComplete && done.keepClient && done.upstreamReusable && !clientInputClosed)) {
            closeBoth(null);
            return;
        }
        client.flush();
        awaitRequest();
    }

    /** Between exchanges: serve a pipelined request first, else read the next one; the idle clock runs. */
    private void awaitRequest() {
        timeouts.awaitNextRequest();
        while (!closing && !waiting.isEmpty() && (current == null || !current.requestComplete)) {
            clientRead(waiting.poll());
        }
        upstream.flush();
        readClientIfWanted();
    }

    /**
     * Ends the current exchange with {@code reason}. Before a final response head Sluice answers the client itself
     * (with {@code Connection: close}); after it the client connection closes on a truncated response, which is
     * what it should see.
     */
    private void fail(HttpResponseStatus status, String proxyStatusError, String detail, String reason) {
        if (current != null && !current.responseStarted && !current.switching) {
            FullHttpResponse response = ProxyErrorResponse.create(client.alloc(), status, proxyStatusError, detail);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            current.status = status.code();
            client.write(response, client.voidPromise());
        }
        closeBoth(reason);
    }

    /** Closes both channels once what was written to the client is sent; records an exchange still in flight. */
    private void closeBoth(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        error = reason;
        timeouts.requestReceived();
        upstreamSilence.stop();
        for (HttpObject msg = waiting.poll(); msg != null; msg = waiting.poll()) {
            ReferenceCountUtil.release(msg);
        }
        BumpedExchange ended = current;
        current = null;
        try {
            if (ended != null) {
                observer.exchanged(ended.record(reason));
            }
        } finally {
            // Closed whatever the report does; after it, so the connection is still reported last.
            upstream.close();
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> client.close());
        }
    }

    private void channelClosed() {
        if (++channelsClosed == 2 && !handedOver) {
            observer.closed(bytesUp, bytesDown, error);
        }
    }

    private void clientInputClosed() {
        clientInputClosed = true;
        if (current == null || !current.requestComplete) {
            closeBoth(current == null ? null : "client_closed");
        }
        // Else the client may still read the response; the pair closes after it.
    }

    /**
     * Sluice is stopping: a pair between requests (no byte of the next one read) closes at once, as at the front
     * door; otherwise the exchange under way (or the request begun) is answered with {@code Connection: close}.
     */
    private void drain() {
        draining = true;
        if (current == null && waiting.isEmpty() && timeouts.betweenRequests()) {
            closeBoth(null);
        }
    }

    private void upstreamGone() {
        if (current == null) {
            closeBoth(null);
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY, "connection_terminated", "the origin closed the connection",
                    "upstream_closed");
        }
    }

    private void failed(boolean fromClient, Throwable cause) {
        String side = fromClient ? "client" : "upstream";
        if (cause instanceof IOException) {
            log.debug("{} connection failed: {}", side, cause.toString());
        } else if (!closing) {
            log.warn("bumped HTTP/1.1 relay failed on the {} side", side, cause);
        }
        closeBoth(side + "_closed");
    }

    /** The 101 is relayed: the pair stops being HTTP. */
    private void switchProtocols() {
        BumpedExchange done = current;
        current = null;
        observer.exchanged(done.record(null));
        if (!waiting.isEmpty()) {
            // The client spoke before the 101 (RFC 6455 §4.1 forbids it) and its bytes were decoded as HTTP.
            closeBoth("client_protocol_error");
            return;
        }
        client.pipeline().remove(timeouts);
        upstreamSilence.stop();
        handedOver = true;
        RawRelayHandover.start(client, upstream, idleTimeout, observer, bytesUp, bytesDown);
    }

    /** The relay's handler at the end of either pipeline. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean isClient;

        Side(boolean isClient) {
            this.isClient = isClient;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (isClient) {
                clientRead(msg);
            } else {
                upstreamRead(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (isClient) {
                clientReadComplete();
            } else {
                upstreamReadComplete();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && !closing) {
                if (isClient) {
                    upstream.read();
                } else {
                    readClientIfWanted();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ClientTimeouts.REQUEST_HEADER_TIMEOUT && !closing) {
                current = BumpedExchange.malformed();
                fail(HttpResponseStatus.REQUEST_TIMEOUT, "http_request_error", "request head not received within "
                        + requestHeader.toMillis() + " ms", "request_header_timeout");
            } else if (evt == ClientTimeouts.IDLE_TIMEOUT && !closing) {
                if (current == null) {
                    closeBoth("idle_timeout");
                } else {
                    fail(HttpResponseStatus.REQUEST_TIMEOUT, "http_request_error", "request body stalled for "
                            + idleTimeout.toMillis() + " ms", "request_body_timeout");
                }
            } else if (evt == Drain.EVENT && isClient && !closing) {
                drain();
            } else if (evt == ChannelInputShutdownEvent.INSTANCE && !closing) {
                if (isClient) {
                    clientInputClosed();
                } else {
                    upstreamGone();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (closing) {
                return;
            }
            if (isClient) {
                closeBoth(current == null ? null : "client_closed");
            } else {
                upstreamGone();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(isClient, cause);
        }
    }
}
