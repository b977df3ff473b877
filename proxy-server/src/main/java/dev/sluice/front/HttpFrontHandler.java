package dev.sluice.front;

import dev.sluice.http1.ForwardRequest;
import dev.sluice.http1.ProxyErrorResponse;
import dev.sluice.http1.TransferCoding;
import dev.sluice.policy.ConnectionFacts;
import dev.sluice.policy.Decision;
import dev.sluice.relay.Drain;
import dev.sluice.relay.ClientTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 front door: decides what happens to each request on a client connection. It answers errors
 * itself, hands a CONNECT to {@link ConnectTunnel} (or {@link PeekedConnect} when its decision needs the
 * ClientHello) and an allowed absolute-form {@code http://} request to the
 * next handler as a {@link ForwardRequest} followed by the request's {@link HttpContent}s. It relays nothing.
 *
 * <p>Reads (AUTO_READ is off): the front door reads while it waits for a request head and while it skips the
 * body of a request it answered itself. After a {@link ForwardRequest} the forwarder reads the request body
 * (as its upstream allows); the front door takes over again once the forwarder has written the response's
 * {@link LastHttpContent}. A request that arrives pipelined before that is held (and no further read passes)
 * so the forwarder only ever sees one exchange at a time.
 *
 * <p>After a CONNECT the connection never speaks HTTP again: it becomes a tunnel, or is closed after the answer.
 *
 * <p>On {@link Drain#EVENT} a connection waiting between requests (no byte of the next one read) is closed at once;
 * one in an exchange, or part-way through a request head, finishes it, answers {@code Connection: close} and is
 * closed after it.
 */
public final class HttpFrontHandler extends ChannelDuplexHandler {
    /** A request Sluice answers itself keeps its connection only if at most this much body is left to skip. */
    static final int MAX_SKIPPED_BODY = 64 * 1024;
    static final String ALLOW = "CONNECT, GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";

    private static final Logger log = LoggerFactory.getLogger(HttpFrontHandler.class);
    private static final Set<HttpMethod> FORWARDED = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH);
    private static final HttpMethod PRI = HttpMethod.valueOf("PRI");
    private static final int MAX_DETAIL = 160;

    private enum State {
        /** Waiting for a request head; the front door reads. */
        AWAIT_HEAD,
        /** A password check runs off the event loop; input is held, nothing is read. */
        AUTHENTICATING,
        /** Answered by Sluice; the rest of the request body is read and dropped. */
        SKIP_BODY,
        /** Handed to the forwarder; body parts pass through, the forwarder reads. */
        FORWARD_BODY,
        /** Request fully handed over; waiting for the forwarder to finish the response. */
        FORWARD_RESPONSE,
        /** CONNECT accepted, upstream connecting; the decoder is gone and early tunnel bytes are held. */
        TUNNEL,
        /** Answered with {@code Connection: close}; input is dropped. */
        CLOSING
    }

    private final FrontServices services;
    private final ClientTimeouts timeouts;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    /** Scheduled after every forwarded exchange; made once per connection rather than once per request. */
    private final Runnable resumeTask = this::resume;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;
    private boolean responseEnded;
    private boolean informationalResponse;
    private boolean inputShutdown;
    /** Sluice is stopping: no exchange after the current one. */
    private boolean draining;

    public HttpFrontHandler(FrontServices services, ClientTimeouts timeouts) {
        this.services = services;
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        state = State.CLOSING;
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!held.isEmpty() || mustHold(msg)) {
            held.add(msg);
        } else {
            dispatch(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfWaiting();
        ctx.fireChannelReadComplete();
    }

    /** Reads asked for by the forwarder pass, unless a pipelined request is already waiting. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (held.isEmpty()) {
            ctx.read();
        }
    }

    /** Watches the forwarder's response for its end, which ends the exchange. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (state == State.FORWARD_BODY || state == State.FORWARD_RESPONSE) {
            if (msg instanceof HttpResponse response) {
                HttpStatusClass kind = response.status().codeClass();
                informationalResponse = kind == HttpStatusClass.INFORMATIONAL && response.status().code() != 101;
                if (draining && !informationalResponse) {
                    HttpUtil.setKeepAlive(response, false); // tells the client not to send another request
                }
            }
            if (msg instanceof LastHttpContent && !informationalResponse) {
                responseEnded = true;
                if (state == State.FORWARD_RESPONSE) {
                    ctx.write(msg, promise);
                    exchangeDone();
                    return;
                }
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientTimeouts.REQUEST_HEADER_TIMEOUT) {
            if (state == State.AWAIT_HEAD) {
                refuse(Exchange.begin(ctx.channel(), null, null), null, FrontError.HEADER_TIMEOUT,
                        "request head not received within " + services.timeouts().requestHeader().toMillis()
                                + " ms", null, null);
            } else {
                ctx.close();
            }
        } else if (evt == Drain.EVENT) {
            draining = true;
            if (state == State.AWAIT_HEAD && held.isEmpty() && timeouts.betweenRequests()) {
                state = State.CLOSING; // idle between requests: nothing to finish
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        } else if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShutdown = true;
            switch (state) {
                case AWAIT_HEAD, SKIP_BODY -> {
                    state = State.CLOSING;
                    ctx.close();
                }
                case FORWARD_BODY, FORWARD_RESPONSE -> ctx.fireUserEventTriggered(evt);
                default -> {
                    // AUTHENTICATING and TUNNEL look at inputShutdown (or the channel) when they go on.
                }
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client connection {}: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("client connection {} failed", ctx.channel(), cause);
        }
        state = State.CLOSING;
        ctx.close();
    }

    private boolean mustHold(Object msg) {
        return state == State.AUTHENTICATING || state == State.TUNNEL
                || (state == State.FORWARD_RESPONSE && msg instanceof HttpRequest);
    }

    private void dispatch(Object msg) {
        switch (state) {
            case AWAIT_HEAD -> {
                if (msg instanceof HttpRequest request) {
                    onHead(request);
                } else {
                    ReferenceCountUtil.release(msg); // the end of a body already dealt with
                }
            }
            case SKIP_BODY -> {
                if (msg instanceof HttpRequest request) {
                    onHead(request);
                    return;
                }
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    state = State.AWAIT_HEAD;
                    if (draining) {
                        state = State.CLOSING;
                        ctx.close();
                    }
                }
            }
            case FORWARD_BODY -> {
                if (msg instanceof HttpContent content) {
                    boolean last = content instanceof LastHttpContent;
                    ctx.fireChannelRead(content);
                    if (last) {
                        timeouts.requestReceived();
                        if (responseEnded) {
                            exchangeDone();
                        } else {
                            state = State.FORWARD_RESPONSE;
                        }
                    }
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void readIfWaiting() {
        if (held.isEmpty() && (state == State.AWAIT_HEAD || state == State.SKIP_BODY) && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    /**
     * Handles what was held back as one read burst (ending in channelReadComplete, where the forwarder flushes
     * upstream), then reads if still waiting for input.
     */
    private void resume() {
        boolean dispatched = false;
        while (!held.isEmpty() && !mustHold(held.peek())) {
            dispatch(held.poll());
            dispatched = true;
        }
        if (dispatched) {
            ctx.fireChannelReadComplete();
        }
        readIfWaiting();
    }

    private void exchangeDone() {
        state = State.AWAIT_HEAD;
        responseEnded = false;
        informationalResponse = false;
        if (inputShutdown || draining) {
            state = State.CLOSING;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        timeouts.awaitNextRequest();
        // Not inline: this runs inside the forwarder's write or read, which should finish first.
        ctx.executor().execute(resumeTask);
    }

    private void onHead(HttpRequest request) {
        timeouts.requestReceived();
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            decodeFailed(result.cause());
            return;
        }
        Exchange exchange = Exchange.begin(ctx.channel(), request.method().name(), request.uri());
        HttpVersion version = request.protocolVersion();
        if (PRI.equals(request.method()) && version.majorVersion() == 2) {
            refuse(exchange, null, FrontError.NOT_IMPLEMENTED,
                    "HTTP/2 with prior knowledge is not supported; speak HTTP/1.1 to the proxy", null, null);
            return;
        }
        if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
            refuse(exchange, null, FrontError.VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are supported",
                    null, null);
            return;
        }
        String coding = TransferCoding.unsupported(request.headers());
        if (coding != null) {
            // Not continued: where this request's body ends is exactly what is in doubt.
            refuse(exchange, null, FrontError.NOT_IMPLEMENTED, "Transfer-Encoding " + coding
                    + " is not supported; send chunked alone or Content-Length", null, null);
            return;
        }
        boolean connect = HttpMethod.CONNECT.equals(request.method());
        if (connect) {
            // Whatever follows a CONNECT is tunnel payload, never HTTP: take the decoder out now, so bytes a
            // client sends early reach us raw (held for the tunnel) instead of being parsed as a request.
            state = State.TUNNEL;
            HttpServerCodec codec = ctx.pipeline().get(HttpServerCodec.class);
            if (codec != null) {
                codec.removeInboundHandler();
            }
        }
        if (!services.authenticator().enabled()) {
            route(exchange, request, connect);
            return;
        }
        CompletableFuture<String> check =
                services.authenticator().authenticate(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION));
        if (check.isDone()) {
            authenticated(exchange, request, connect, check);
            return;
        }
        state = State.AUTHENTICATING;
        check.whenComplete((user, error) -> {
            try {
                ctx.executor().execute(() -> {
                    authenticated(exchange, request, connect, check);
                    resume();
                });
            } catch (RejectedExecutionException shuttingDown) {
                log.debug("event loop gone before proxy authentication finished");
            }
        });
    }

    private void authenticated(Exchange exchange, HttpRequest request, boolean connect,
                               CompletableFuture<String> check) {
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            releaseHeld();
            return;
        }
        String user = null;
        try {
            user = check.getNow(null);
        } catch (CompletionException | CancellationException e) {
            log.warn("proxy authentication failed unexpectedly", e);
        }
        if (user == null) {
            refuse(exchange, request, FrontError.AUTH_REQUIRED, "proxy authentication required", null,
                    headers -> headers.set(HttpHeaderNames.PROXY_AUTHENTICATE, services.authenticator().challenge()));
            return;
        }
        state = connect ? State.TUNNEL : State.AWAIT_HEAD;
        route(exchange.withUser(user), request, connect);
    }

    private void route(Exchange exchange, HttpRequest request, boolean connect) {
        if (connect) {
            routeConnect(exchange, request);
            return;
        }
        AbsoluteForm form = AbsoluteForm.parse(request.uri());
        if (form == null) {
            refuse(exchange, request, FrontError.BAD_REQUEST,
                    "not a proxy request: send absolute-form (GET http://host/path) or CONNECT host:port", null, null);
            return;
        }
        if (form.scheme().equals("https")) {
            refuse(exchange, request, FrontError.NOT_IMPLEMENTED,
                    "https:// requests are not forwarded: use CONNECT host:443", null, null);
            return;
        }
        if (!form.scheme().equals("http")) {
            refuse(exchange, request, FrontError.NOT_IMPLEMENTED, "scheme " + form.scheme() + " is not supported",
                    null, null);
            return;
        }
        Authority origin;
        try {
            origin = Authority.parse(form.authority(), 80);
        } catch (IllegalArgumentException e) {
            refuse(exchange, request, FrontError.BAD_REQUEST, "bad request target: " + e.getMessage(), null, null);
            return;
        }
        if (HttpMethod.TRACE.equals(request.method())) {
            refuse(exchange, request, FrontError.METHOD_NOT_ALLOWED, "TRACE is not forwarded", null,
                    headers -> headers.set(HttpHeaderNames.ALLOW, ALLOW));
            return;
        }
        if (!FORWARDED.contains(request.method())) {
            refuse(exchange, request, FrontError.NOT_IMPLEMENTED, "method " + request.method() + " is not supported",
                    null, null);
            return;
        }
        Decision decision = services.policy()
                .decideForward(new ConnectionFacts(exchange.clientAddress(), origin.host(), origin.port()));
        if (refusedByPolicy(exchange, request, decision)) {
            return;
        }
        state = State.FORWARD_BODY;
        // A body that stalls closes the connection after timeouts.idleClient, as a silent keep-alive connection.
        timeouts.readingBody();
        responseEnded = false;
        informationalResponse = false;
        ctx.fireChannelRead(new ForwardRequest(request, origin.host(), origin.port(), decision, exchange.user(),
                exchange.started()));
    }

    private void routeConnect(Exchange exchange, HttpRequest request) {
        Authority target;
        try {
            target = Authority.parse(request.uri(), -1);
        } catch (IllegalArgumentException e) {
            refuse(exchange, request, FrontError.BAD_REQUEST, "bad CONNECT target: " + e.getMessage(), null, null);
            return;
        }
        Decision decision = services.policy()
                .decideConnect(new ConnectionFacts(exchange.clientAddress(), target.host(), target.port()));
        if (refusedByPolicy(exchange, request, decision)) {
            return;
        }
        state = State.TUNNEL;
        // Not inline: the decoder that delivered this CONNECT is still on the stack, handing over early bytes.
        if (decision.peeksClientHello()) {
            ctx.executor().execute(new PeekedConnect(services, this, ctx, exchange, target, decision)::open);
        } else {
            ctx.executor().execute(new ConnectTunnel(services, this, ctx, exchange, target, decision)::open);
        }
    }

    /**
     * Counts the decision (one that waits for the ClientHello is counted once final, by {@link PeekedConnect});
     * answers 403 and returns true when it denies.
     */
    private boolean refusedByPolicy(Exchange exchange, HttpRequest request, Decision decision) {
        if (!decision.peeksClientHello()) {
            services.metrics().decision(decision.action(), decision.rule());
        }
        if (!decision.denied()) {
            return false;
        }
        String reason = decision.reason();
        String detail = "denied by rule " + decision.rule() + (reason == null || reason.isEmpty() ? "" : ": " + reason);
        refuse(exchange, request, FrontError.DENIED, detail, decision, null);
        return true;
    }

    private void decodeFailed(Throwable cause) {
        Exchange exchange = Exchange.begin(ctx.channel(), null, null);
        if (cause instanceof TooLongHttpLineException) {
            refuse(exchange, null, FrontError.URI_TOO_LONG,
                    "request line longer than " + services.limits().maxRequestLine() + " bytes", null, null);
        } else if (cause instanceof TooLongHttpHeaderException) {
            refuse(exchange, null, FrontError.HEADERS_TOO_LARGE,
                    "request headers larger than " + services.limits().maxHeaderBytes() + " bytes", null, null);
        } else {
            refuse(exchange, null, FrontError.BAD_REQUEST, "malformed request: " + cause.getMessage(), null, null);
        }
    }

    /**
     * Answers a request (null when it could not be parsed, or must not be continued) with an error; keeps the
     * connection when the rest of the request can be skipped safely.
     */
    private void refuse(Exchange exchange, HttpRequest request, FrontError error, String detail, Decision decision,
                        Consumer<HttpHeaders> extraHeaders) {
        FullHttpResponse response =
                ProxyErrorResponse.create(ctx.alloc(), error.status, error.proxyStatusError, shorten(detail));
        if (extraHeaders != null) {
            extraHeaders.accept(response.headers());
        }
        boolean keepAlive = request != null && canContinueAfter(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive && HttpVersion.HTTP_1_0.equals(request.protocolVersion())) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        services.countAnswer(exchange, error.status.code());
        services.finish(exchange, error.status.code(), decision, error.reason, 0, 0);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (keepAlive) {
            state = State.SKIP_BODY;
            timeouts.awaitNextRequest();
        } else {
            state = State.CLOSING;
            releaseHeld();
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Whether the connection may carry another request after Sluice answered this one itself. */
    private boolean canContinueAfter(HttpRequest request) {
        if (HttpMethod.CONNECT.equals(request.method()) || inputShutdown || draining
                || !HttpUtil.isKeepAlive(request)) {
            return false;
        }
        // A client waiting for 100 Continue will not send the body we would wait to skip.
        if (HttpUtil.is100ContinueExpected(request) || HttpUtil.isTransferEncodingChunked(request)) {
            return false;
        }
        return HttpUtil.getContentLength(request, 0L) <= MAX_SKIPPED_BODY;
    }

    /** Answers a CONNECT whose upstream could not be had; the connection closes after it. */
    void refuseConnect(Exchange exchange, Decision decision, HttpResponseStatus status,
                       String proxyStatusError, String detail, String reason) {
        state = State.CLOSING;
        releaseHeld();
        services.countAnswer(exchange, status.code());
        services.finish(exchange, status.code(), decision, reason, 0, 0);
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = ProxyErrorResponse.create(ctx.alloc(), status, proxyStatusError, shorten(detail));
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static String shorten(String detail) {
        return detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
    }

    /** The bytes a client sent after its CONNECT, before the tunnel existed; the caller owns them now. */
    List<ByteBuf> takeEarlyBytes() {
        List<ByteBuf> early = new ArrayList<>();
        for (Object msg : held) {
            if (msg instanceof ByteBuf buf) {
                early.add(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
        held.clear();
        return early;
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
