package dev.sluice.http1;

import dev.sluice.config.HostPort;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.relay.SilenceTimer;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded request and its response. Relays the request head and body to an origin connection as they
 * arrive and the response back to the client, reading each side only while the other can take more. Runs on
 * the client's event loop, which is also the origin connection's. Ends exactly once, with one access-log
 * line, and tells its {@link Done} whether the client connection stays open.
 */
final class ForwardExchange implements OriginConnection.Listener {
    private static final Logger log = LoggerFactory.getLogger(ForwardExchange.class);
    /** Methods whose request may be sent twice (RFC 9110 §9.2.2): a lost one is retried on a fresh connection. */
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    /** Told once, when the exchange is over. */
    interface Done {
        void exchangeDone(boolean keepClient);
    }

    private final ChannelHandlerContext client;
    private final ForwardRequest request;
    private final HttpRequest upstreamRequest;
    private final OriginPool pool;
    private final Metrics metrics;
    private final AccessLog accessLog;
    private final Done done;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    /** Body pieces that arrived while no origin connection was ready. */
    private final ArrayDeque<HttpContent> unsent = new ArrayDeque<>();
    /** An origin silent for {@code idleUpstream} while Sluice waits on it fails the exchange. */
    private final SilenceTimer originSilence;

    private OriginConnection origin;
    private boolean requestComplete;
    private boolean heardFromOrigin;
    private boolean retried;
    private boolean inInformational;
    private boolean responseStarted;
    private boolean originReusable;
    private boolean keepClient;
    private boolean clientInputClosed;
    private boolean finished;
    private int status;
    private long bytesUp;
    private long bytesDown;

    ForwardExchange(ChannelHandlerContext client, ForwardRequest request, OriginPool pool, Metrics metrics,
                    AccessLog accessLog, Done done) {
        this.client = client;
        this.request = request;
        this.upstreamRequest = OriginFormRequest.from(request.request());
        this.pool = pool;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.done = done;
        this.clientVersion = request.request().protocolVersion();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request.request());
        this.originSilence = new SilenceTimer(client.channel().eventLoop(), pool.idleTimeoutNanos(),
                () -> client.channel().isWritable(), this::originSilent);
    }

    void start() {
        metrics.connectionOpened(Metrics.KIND_FORWARD);
        useOrigin(pool.acquire(request));
    }

    /** Whether the client's request body is still arriving (its pieces belong to this exchange). */
    boolean wantsRequestContent() {
        return !requestComplete && !finished;
    }

    void requestContent(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            failBeforeOrDuringResponse(HttpResponseStatus.BAD_REQUEST, "http_request_error",
                    "malformed request body", "bad_request_body");
            return;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        originSilence.activity();
        if (origin == null) {
            unsent.add(content);
        } else {
            sendUpstream(content);
        }
    }

    void clientReadComplete() {
        if (origin != null) {
            origin.channel().flush();
            readClientIfWanted();
        }
    }

    void clientWritable() {
        if (origin != null) {
            origin.channel().read();
        }
    }

    void clientClosed() {
        if (!finished) {
            dropOrigin();
            finish(false, "client_closed");
        }
    }

    /**
     * The client's request body was silent for {@code timeouts.idleClient}: 408 while no response has begun, as on a
     * bumped connection, and the connection ends either way.
     */
    void requestBodyStalled() {
        if (!finished && !requestComplete) {
            failBeforeOrDuringResponse(HttpResponseStatus.REQUEST_TIMEOUT, "http_request_error",
                    "the request body stalled", "request_body_timeout");
        }
    }

    /**
     * The client sent FIN (with half-closure allowed). Before its request is whole that is an abort; after it,
     * the client may still read the response, and the connection closes once that is sent.
     */
    void clientInputClosed() {
        if (finished) {
            return;
        }
        clientInputClosed = true;
        if (!requestComplete) {
            dropOrigin();
            client.close();
            finish(false, "client_closed");
        }
    }

    @Override
    public void originRead(HttpObject message) {
        heardFromOrigin = true;
        originSilence.activity();
        if (message.decoderResult().isFailure()) {
            Throwable cause = message.decoderResult().cause();
            ReferenceCountUtil.release(message);
            boolean truncated = cause instanceof PrematureChannelClosureException;
            failBeforeOrDuringResponse(HttpResponseStatus.BAD_GATEWAY,
                    truncated ? "http_response_incomplete" : "http_protocol_error",
                    "malformed response from " + originName() + ": " + cause.getMessage(), "upstream_protocol_error");
            return;
        }
        if (message instanceof HttpResponse response) {
            responseHead(response);
        }
        if (message instanceof HttpContent content) {
            responseContent(content);
        }
    }

    @Override
    public void originReadComplete() {
        client.flush();
        if (origin != null && client.channel().isWritable()) {
            origin.channel().read();
        }
    }

    @Override
    public void originWritable() {
        readClientIfWanted();
    }

    @Override
    public void originClosed(Throwable cause) {
        OriginConnection closed = origin;
        origin = null;
        if (finished) {
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("{} closed during {} {}", originName(), request.request().method(), request.request().uri(),
                    cause);
        }
        if (!responseStarted && !heardFromOrigin && !retried && closed.reused()
                && IDEMPOTENT.contains(request.request().method()) && bytesUp == 0) {
            // The origin dropped an idle connection just as it was reused; nothing of the body was lost.
            retried = true;
            if (requestComplete) {
                unsent.add(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            useOrigin(pool.connect(request));
            return;
        }
        failBeforeOrDuringResponse(HttpResponseStatus.BAD_GATEWAY, "connection_terminated",
                originName() + " closed the connection" + (cause == null ? "" : ": " + cause.getMessage()),
                "upstream_reset");
    }

    private void useOrigin(Future<OriginConnection> future) {
        future.addListener(f -> originReady(future));
    }

    private void originReady(Future<OriginConnection> future) {
        if (!future.isSuccess()) {
            if (!finished) {
                connectFailed(future.cause());
            }
            return;
        }
        OriginConnection connection = future.getNow();
        if (finished) {
            connection.close();
            return;
        }
        origin = connection;
        if (!connection.isActive()) {
            originClosed(null);
            return;
        }
        connection.attach(this);
        originSilence.start();
        Channel upstream = connection.channel();
        upstream.write(upstreamRequest, upstream.voidPromise());
        for (HttpContent content = unsent.poll(); content != null; content = unsent.poll()) {
            sendUpstream(content);
        }
        upstream.flush();
        upstream.read();
        readClientIfWanted();
    }

    private void originSilent() {
        if (!finished) {
            failBeforeOrDuringResponse(HttpResponseStatus.GATEWAY_TIMEOUT, "http_response_timeout",
                    originName() + " sent nothing for " + Duration.ofNanos(pool.idleTimeoutNanos()).toMillis() + " ms",
                    "upstream_timeout");
        }
    }

    private void connectFailed(Throwable cause) {
        UpstreamFailure failure = cause instanceof UpstreamException e ? e.failure() : UpstreamFailure.CONNECT_ERROR;
        String detail = cause.getMessage() != null ? cause.getMessage() : originName() + " unreachable";
        answer(HttpResponseStatus.valueOf(failure.status()), failure.proxyStatusError(), detail,
                failure.metricReason());
    }

    private void sendUpstream(HttpContent content) {
        int bytes = content.content().readableBytes();
        if (bytes > 0) {
            bytesUp += bytes;
            metrics.bytesUpstream(bytes);
        }
        Channel upstream = origin.channel();
        upstream.write(content, upstream.voidPromise());
    }

    private void readClientIfWanted() {
        if (wantsRequestContent() && origin != null && origin.channel().isWritable()) {
            client.read();
        }
    }

    private void responseHead(HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                failBeforeOrDuringResponse(HttpResponseStatus.BAD_GATEWAY, "http_protocol_error",
                        originName() + " switched protocols though Upgrade was not forwarded",
                        "upstream_protocol_error");
                return;
            }
            inInformational = true;
            // HTTP/1.0 has no 1xx responses (RFC 9110 §15.2): such a client only gets the final one.
            if (!clientVersion.equals(HttpVersion.HTTP_1_0)) {
                client.write(ClientResponseHead.from(response, clientVersion, request.request().method(), true),
                        client.voidPromise());
            }
            return;
        }
        status = response.status().code();
        boolean bodyless = ClientResponseHead.bodyless(request.request().method(), response.status());
        originReusable = HttpUtil.isKeepAlive(response) && (bodyless || HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response));
        HttpResponse head = ClientResponseHead.from(response, clientVersion, request.request().method(),
                clientKeepAlive && requestComplete && !clientInputClosed);
        keepClient = HttpUtil.isKeepAlive(head);
        responseStarted = true;
        client.write(head, client.voidPromise());
    }

    private void responseContent(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        if (inInformational) {
            inInformational = !(content instanceof LastHttpContent);
            if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                content.release();
            } else {
                client.write(content, client.voidPromise());
            }
            return;
        }
        int bytes = content.content().readableBytes();
        if (bytes > 0) {
            bytesDown += bytes;
            metrics.bytesDownstream(bytes);
        }
        if (content instanceof LastHttpContent) {
            responseComplete(content);
        } else {
            client.write(content, client.voidPromise());
        }
    }

    private void responseComplete(HttpContent last) {
        OriginConnection connection = origin;
        origin = null;
        if (originReusable && requestComplete) {
            connection.detach(true);
            pool.release(connection);
        } else {
            connection.close();
        }
        boolean keep = keepClient && !clientInputClosed;
        if (keep) {
            client.writeAndFlush(last, client.voidPromise());
        } else {
            client.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
        }
        finish(keep, null);
    }

    /** Before the response head: Sluice answers. After it: the client connection closes on a truncated message. */
    private void failBeforeOrDuringResponse(HttpResponseStatus answerStatus, String proxyStatusError, String detail,
                                            String error) {
        if (!responseStarted) {
            answer(answerStatus, proxyStatusError, detail, error);
        } else {
            dropOrigin();
            client.close();
            finish(false, error);
        }
    }

    /** Sluice's own response; the client connection stays open only if its whole request has been read. */
    private void answer(HttpResponseStatus answerStatus, String proxyStatusError, String detail, String error) {
        dropOrigin();
        boolean keep = clientKeepAlive && requestComplete && !clientInputClosed;
        FullHttpResponse response = ProxyErrorResponse.create(client.alloc(), answerStatus, proxyStatusError, detail);
        ClientResponseHead.persistence(response.headers(), clientVersion, keep);
        status = answerStatus.code();
        ChannelFuture written = client.writeAndFlush(response);
        if (!keep) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        finish(keep, error);
    }

    private void dropOrigin() {
        if (origin != null) {
            origin.close();
            origin = null;
        }
    }

    private void finish(boolean keep, String error) {
        finished = true;
        originSilence.stop();
        for (HttpContent content = unsent.poll(); content != null; content = unsent.poll()) {
            content.release();
        }
        String method = request.request().method().name();
        if (error != null) {
            metrics.error(error);
        }
        if (status != 0) {
            metrics.httpRequest(method, status);
        }
        metrics.connectionClosed(Metrics.KIND_FORWARD);
        long durationMs = Math.max(0, Duration.between(request.started(), Instant.now()).toMillis());
        accessLog.log(new AccessLogEntry(request.started(), address(client.channel().remoteAddress()),
                request.user(), method, request.request().uri(), "forward", request.decision().rule(), status,
                bytesUp, bytesDown, durationMs, error));
        done.exchangeDone(keep);
    }

    private String originName() {
        return new HostPort(request.host(), request.port()).toString();
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? NetUtil.toSocketAddressString(inet) : null;
    }
}
