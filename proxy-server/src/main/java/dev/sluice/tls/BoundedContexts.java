package dev.sluice.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * TLS contexts built on first use and kept, at most {@code limit} of them. Past the limit a new key is refused
 * rather than evicting another: with eviction, peers rotating their ALPN offers could make every connection build a
 * context (milliseconds of CPU) on an event loop. Thread-safe.
 */
final class BoundedContexts<K> {
    private final int limit;
    private final String what;
    private final Map<K, SslContext> contexts = new ConcurrentHashMap<>();

    /** @param what names the key in the refusal, e.g. "ALPN offer lists" */
    BoundedContexts(int limit, String what) {
        this.limit = limit;
        this.what = what;
    }

    /** @throws IllegalStateException when {@code limit} other keys came first, or {@code build} failed */
    SslContext get(K key, Function<K, SslContext> build) {
        SslContext context = contexts.get(key);
        if (context != null) {
            return context;
        }
        if (contexts.size() >= limit) {
            throw new IllegalStateException("more than " + limit + " distinct " + what + " seen; refusing " + key);
        }
        return contexts.computeIfAbsent(key, build);
    }
}
