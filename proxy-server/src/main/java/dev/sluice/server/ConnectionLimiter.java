package dev.sluice.server;

import dev.sluice.config.LimitsConfig;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open client connections, all together and per client address, for {@code limits.maxClientConnections}
 * and {@code limits.maxConnectionsPerClient}. Accepts run on several event loops at once, so the counts are atomic;
 * every admitted connection is released exactly once, when it closes.
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

    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    /**
     * Only addresses with an open connection, and each holds a slot of {@link #total} first, so the map never has
     * more than {@code maxTotal} entries.
     */
    private final ConcurrentMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

    ConnectionLimiter(LimitsConfig limits) {
        this.maxTotal = limits.maxClientConnections();
        this.maxPerClient = limits.maxConnectionsPerClient();
    }

    /** @return null if admitted (then {@link #release} it once, on close), else the limit it would break */
    Limit tryAcquire(InetAddress client) {
        int open;
        do {
            open = total.get();
            if (open >= maxTotal) {
                return Limit.TOTAL;
            }
        } while (!total.compareAndSet(open, open + 1));
        boolean[] admitted = {false};
        perClient.compute(client, (address, count) -> {
            int n = count == null ? 0 : count;
            if (n >= maxPerClient) {
                return count;
            }
            admitted[0] = true;
            return n + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return Limit.PER_CLIENT;
        }
        return null;
    }

    void release(InetAddress client) {
        perClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
        total.decrementAndGet();
    }

    /** Open admitted connections. */
    int open() {
        return total.get();
    }

    /** Addresses with an open admitted connection. */
    int clients() {
        return perClient.size();
    }
}
