package dev.sluice.server;

import dev.sluice.config.LimitsConfig;
import dev.sluice.policy.KeyedQuota;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open client connections, all together and per client address, for {@code limits.maxClientConnections}
 * and {@code limits.maxConnectionsPerClient}. Accepts run on several event loops at once, so the counts are atomic;
 * every admitted connection is released exactly once, when it closes. The limits come with each connection, from
 * the configuration in force when it was accepted, so a reload changes them for new connections while the counts
 * go on.
 */
final class ConnectionLimiter {
    /** A limit a connection would break; {@link #tag} is the metric's {@code limit}, {@link #key} the config key. */
    enum Limit {
        TOTAL("total", "limits.maxClientConnections"),
        PER_CLIENT("per_client", "limits.maxConnectionsPerClient");

        final String tag;
        final String key;

        Limit(String tag, String key) {
            this.tag = tag;
            this.key = key;
        }
    }

    private final AtomicInteger total = new AtomicInteger();
    /**
     * Each address takes a slot of {@link #total} first, so it never holds more keys than connections are open; the
     * bound is given per call.
     */
    private final KeyedQuota<InetAddress> perClient = new KeyedQuota<>(Integer.MAX_VALUE);

    /** @return null if admitted (then {@link #release} it once, on close), else the limit it would break */
    Limit tryAcquire(InetAddress client, LimitsConfig limits) {
        int maxTotal = limits.maxClientConnections();
        int open;
        do {
            open = total.get();
            if (open >= maxTotal) {
                return Limit.TOTAL;
            }
        } while (!total.compareAndSet(open, open + 1));
        if (!perClient.take(client, limits.maxConnectionsPerClient())) {
            total.decrementAndGet();
            return Limit.PER_CLIENT;
        }
        return null;
    }

    void release(InetAddress client) {
        perClient.release(client);
        total.decrementAndGet();
    }

    /** Open admitted connections. */
    int open() {
        return total.get();
    }

    /** Addresses with an open admitted connection. */
    int clients() {
        return perClient.keys();
    }
}
