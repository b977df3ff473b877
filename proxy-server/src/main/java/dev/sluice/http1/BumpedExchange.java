package dev.sluice.http1;

import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.relay.HttpExchangeRecord;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;

/** One request of a bumped HTTP/1.1 connection while it is relayed: where it stands, and what its record says. */
final class BumpedExchange {
    static final String PROTOCOL = "http/1.1";

    private final Instant started = Instant.now();
    private final long startNanos = System.nanoTime();
    /** Null for a request that could not be parsed. */
    final HttpMethod method;
    private final String authority;
    private final String path;
    final HttpVersion clientVersion;
    final boolean clientKeepAlive;

    boolean requestComplete;
    /** A 1xx other than 101 is being relayed: its end is not the end of the response. */
    boolean informational;
    /** A 101 is being relayed: at its end the connection stops being HTTP. */
    boolean switching;
    boolean responseStarted;
    /** The origin may take another request on this connection after this response. */
    boolean upstreamReusable;
    /** The response head the client got leaves its connection open. */
    boolean keepClient;
    int status;
    long bytesUp;
    long bytesDown;
    /** Sluice's answer when a call rule denied the request; null otherwise. */
    GrpcCallRecord denied;

    private BumpedExchange(HttpMethod method, String authority, String path, HttpVersion clientVersion,
                           boolean clientKeepAlive) {
        this.method = method;
        this.authority = authority;
        this.path = path;
        this.clientVersion = clientVersion;
        this.clientKeepAlive = clientKeepAlive;
    }

    static BumpedExchange of(HttpRequest request) {
        return new BumpedExchange(request.method(), request.headers().get(HttpHeaderNames.HOST), request.uri(),
                request.protocolVersion(), HttpUtil.isKeepAlive(request));
    }

    /** A request the decoder rejected: what it made of the method and target is not what the client sent. */
    static BumpedExchange malformed() {
        return new BumpedExchange(null, null, null, HttpVersion.HTTP_1_1, false);
    }

    boolean clientSpeaksHttp10() {
        return clientVersion.equals(HttpVersion.HTTP_1_0);
    }

    HttpExchangeRecord record(String error) {
        return new HttpExchangeRecord(started, PROTOCOL, method == null ? null : method.name(), authority, path,
                status, bytesUp, bytesDown, System.nanoTime() - startNanos, error, denied);
    }
}
