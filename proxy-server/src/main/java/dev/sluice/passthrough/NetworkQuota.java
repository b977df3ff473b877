package dev.sluice.passthrough;

import dev.sluice.config.Cidr;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How many pinned entries each client network holds, and at most {@code perNetwork}: a client that refuses leaves
 * for a flood of made-up server names fills only its own network's places, never the table other networks' real
 * refusals need to reach their threshold. Thread-safe; a network that holds nothing takes no memory.
 */
final class NetworkQuota {
    private final int perNetwork;
    private final ConcurrentMap<Cidr, Integer> held = new ConcurrentHashMap<>();

    NetworkQuota(int perNetwork) {
        this.perNetwork = perNetwork;
    }

    /** Takes a place for a new entry of {@code network}; false, taking none, when it holds {@code perNetwork}. */
    boolean take(Cidr network) {
        boolean[] taken = {false};
        held.compute(network, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= perNetwork) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Whether {@code network} holds all its places. */
    boolean full(Cidr network) {
        Integer count = held.get(network);
        return count != null && count >= perNetwork;
    }

    /** An entry of {@code network} is gone (expired, evicted or cleared). */
    void release(Cidr network) {
        held.computeIfPresent(network, (key, count) -> count <= 1 ? null : count - 1);
    }
}
