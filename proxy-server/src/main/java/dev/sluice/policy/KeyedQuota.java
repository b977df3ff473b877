package dev.sluice.policy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How many places each key holds, and at most {@code perKey}: e.g. the pinned passthrough entries of one client
 * network, or the open connections of one client address. Thread-safe and exact; a key that holds nothing takes no
 * memory, so the map never holds more keys than places are taken.
 */
public final class KeyedQuota<K> {
    private final int perKey;
    private final ConcurrentMap<K, Integer> held = new ConcurrentHashMap<>();

    public KeyedQuota(int perKey) {
        this.perKey = perKey;
    }

    /** Takes a place for {@code key}; false, taking none, when it holds {@code perKey}. */
    public boolean take(K key) {
        return take(key, perKey);
    }

    /** As {@link #take(Object)}, against another bound (one a reload changed); {@link #full} keeps {@code perKey}. */
    public boolean take(K key, int max) {
        boolean[] taken = {false};
        held.compute(key, (k, count) -> {
            int now = count == null ? 0 : count;
            if (now >= max) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Whether {@code key} holds all its places. */
    public boolean full(K key) {
        Integer count = held.get(key);
        return count != null && count >= perKey;
    }

    /** Gives back one place {@code key} took. */
    public void release(K key) {
        held.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }

    /** Keys holding a place. */
    public int keys() {
        return held.size();
    }
}
