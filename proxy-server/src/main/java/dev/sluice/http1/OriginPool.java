package dev.sluice.http1;

import dev.sluice.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle upstream HTTP/1.1 connections of one event loop, by origin. Only that loop touches it, so it needs no
 * locks; connections it hands out live on the same loop as the client connection that asks. At most
 * {@code maxIdlePerOrigin} idle connections are kept per origin (the most recently used are reused first, so
 * a surplus ages out), and each is closed after {@code idleTimeout} unused.
 */
final class OriginPool {
    /** Origin response heads may be larger than Netty's 8 KiB default (long cookies, many links). */
    private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;
    /** Fewer, larger body pieces; a piece is a slice of what one socket read brought in. */
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final EventLoop loop;
    private final UpstreamConnector connector;
    private final int maxIdlePerOrigin;
    private final long idleTimeoutNanos;
    private final Map<OriginKey, ArrayDeque<OriginConnection>> idle = new HashMap<>();

    OriginPool(EventLoop loop, UpstreamConnector connector, int maxIdlePerOrigin, Duration idleTimeout) {
        this.loop = loop;
        this.connector = connector;
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** How long an upstream connection may say nothing: idle here, or while an exchange waits on it. */
    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** A live idle connection to the request's origin if there is one, else a new one. */
    Future<OriginConnection> acquire(ForwardRequest request) {
        OriginKey key = OriginKey.of(request);
        ArrayDeque<OriginConnection> connections = idle.get(key);
        while (connections != null && !connections.isEmpty()) {
            OriginConnection connection = connections.pollFirst();
            connection.unpark();
            if (connections.isEmpty()) {
                idle.remove(key);
            }
            if (connection.isActive()) {
                return loop.newSucceededFuture(connection);
            }
        }
        return connect(request);
    }

    /** Always a new connection (fails with the connector's {@code UpstreamException}). */
    Future<OriginConnection> connect(ForwardRequest request) {
        OriginConnection connection = new OriginConnection(this, OriginKey.of(request));
        ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                HttpDecoderConfig decoder = new HttpDecoderConfig()
                        .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                        .setMaxChunkSize(MAX_CHUNK_BYTES);
                channel.pipeline().addLast(new HttpClientCodec(decoder,
                        HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST,
                        HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE), connection);
            }
        };
        Promise<OriginConnection> promise = loop.newPromise();
        connector.connect(loop, request.host(), request.port(), request.decision(), initializer)
                .addListener(connected -> {
                    if (connected.isSuccess()) {
                        promise.setSuccess(connection);
                    } else {
                        promise.setFailure(connected.cause());
                    }
                });
        return promise;
    }

    /** Takes back a connection whose exchange completed cleanly; closes it if the origin already has enough. */
    void release(OriginConnection connection) {
        if (!connection.isActive()) {
            return;
        }
        ArrayDeque<OriginConnection> connections = idle.get(connection.key());
        if ((connections == null ? 0 : connections.size()) >= maxIdlePerOrigin) {
            connection.close();
            return;
        }
        if (connections == null) {
            connections = new ArrayDeque<>();
            idle.put(connection.key(), connections);
        }
        connections.addFirst(connection);
        connection.park(loop.schedule(connection::close, idleTimeoutNanos, TimeUnit.NANOSECONDS));
    }

    /** Forgets a connection that closed (a no-op unless it was idle here). */
    void evict(OriginConnection connection) {
        ArrayDeque<OriginConnection> connections = idle.get(connection.key());
        if (connections != null && connections.remove(connection) && connections.isEmpty()) {
            idle.remove(connection.key());
        }
    }
}
