package dev.sluice.passthrough;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.sluice.config.Cidr;
import dev.sluice.config.HostNames;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.KeyedQuota;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What automatic passthrough has learned, one per server: origins that asked for a client certificate (by
 * {@code host:port}, spliced for {@code passthrough.mtls.ttl}) and client networks that refused Sluice's leaves for
 * a server name on a port (counted; spliced once {@code passthrough.pinned.threshold} refusals came, each within
 * {@code pinned.ttl} of the one before).
 *
 * <p>Each kind holds at most {@code maxEntries}. Past that Caffeine's W-TinyLFU policy chooses what goes: not
 * necessarily the least recently used, and it may drop a newcomer rather than an entry that was hit more often. So
 * that a flood of server names cannot keep other clients' refusals from reaching the threshold, one client network
 * holds at most {@link #MAX_PINNED_PER_NETWORK} pinned entries; its further refusals of new names are not counted
 * ({@code sluice_passthrough_network_full_total}). A flood of mTLS origins needs no such guard: an origin that was
 * dropped is learned again on its next connection, which is spliced all the same.
 *
 * <p>Logs and counts what it learns. Thread-safe: event loops learn and look up, the admin listener lists and clears.
 */
public final class PassthroughRegistry {
    private static final Logger log = LoggerFactory.getLogger(PassthroughRegistry.class);
    private static final Comparator<PassthroughEntry> LISTING = Comparator
            .comparing(PassthroughEntry::reason)
            .thenComparing(PassthroughEntry::host)
            .thenComparing(entry -> entry.client() == null ? "" : entry.client())
            .thenComparingInt(PassthroughEntry::port);
    private static final Comparator<Map.Entry<?, Remembered>> EARLIEST_FIRST =
            Comparator.comparing(held -> held.getValue().last());
    /** Far more (server name, port) pairs than one network's clients pin; a flood's share of the table. */
    static final int MAX_PINNED_PER_NETWORK = 100;

    private final PassthroughConfig config;
    private final Metrics metrics;
    private final Clock clock;
    private final Cache<Origin, Remembered> origins;
    private final Cache<Refusing, Remembered> refusing;
    /**
     * Pinned entries per client network: a client that refuses leaves for a flood of made-up server names fills only
     * its own network's places, never the table other networks' real refusals need to reach their threshold.
     */
    private final KeyedQuota<Cidr> networks = new KeyedQuota<>(MAX_PINNED_PER_NETWORK);

    /** An origin as CONNECT named it. */
    private record Origin(String host, int port) {
    }

    /** Clients of a network asking for a server name on a port (another port may be another service). */
    private record Refusing(Cidr network, String serverName, int port) {
    }

    /** How often and when; {@code hits} is shared by the rewrites of one entry, so a lookup never rewrites it. */
    private record Remembered(int count, Instant first, Instant last, AtomicLong hits) {
        static Remembered once(Instant now) {
            return new Remembered(1, now, now, new AtomicLong());
        }

        Remembered again(Instant now) {
            return new Remembered(count + 1, first, now, hits);
        }
    }

    public PassthroughRegistry(PassthroughConfig config, Metrics metrics) {
        this(config, metrics, Ticker.systemTicker(), Clock.systemUTC());
    }

    /**
     * @param ticker what entries expire by
     * @param clock  what the listed times are read from
     */
    PassthroughRegistry(PassthroughConfig config, Metrics metrics, Ticker ticker, Clock clock) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.origins = cache(config.mtls().ttl(), ticker).build();
        this.refusing = cache(config.pinned().ttl(), ticker)
                .<Refusing, Remembered>removalListener((key, value, cause) -> {
                    if (cause != RemovalCause.REPLACED) {
                        networks.release(key.network());
                    }
                })
                .build();
        metrics.passthroughEntries(PassthroughReason.MTLS.label(), () -> size(origins));
        metrics.passthroughEntries(PassthroughReason.PINNED.label(), () -> size(refusing));
    }

    /** Expiry counts from the latest write: a lookup (a hit) never extends an entry's life, a new refusal does. */
    private Caffeine<Object, Object> cache(Duration ttl, Ticker ticker) {
        return Caffeine.newBuilder()
                .maximumSize(config.maxEntries())
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run); // upkeep is small; on the caller, it is done when a call returns
    }

    /** Whether an origin asking for a client certificate makes its bump a splice ({@code passthrough.mtls.enabled}). */
    public boolean mtlsEnabled() {
        return config.mtls().enabled();
    }

    /** Remembers that the origin {@code host:port} asked for a client certificate. */
    public void originAskedForCertificate(String host, int port) {
        if (!config.mtls().enabled()) {
            return;
        }
        Origin origin = new Origin(HostNames.normalize(host), port);
        if (remember(origins, origin).count() == 1) {
            log.info("passthrough: {}:{} asks for a client certificate; connections to it are spliced for {}",
                    origin.host(), port, config.mtls().ttl());
            metrics.passthroughLearned(PassthroughReason.MTLS.label());
        }
    }

    /**
     * Counts a handshake that a client at {@code client} ended against a minted leaf for {@code serverName}, on a
     * CONNECT to {@code port}.
     *
     * @param how the alert's name, or {@code closed}, for the log
     */
    public void clientRefusedLeaf(InetAddress client, String serverName, int port, String how) {
        if (!config.pinned().enabled() || client == null) {
            return;
        }
        Refusing key = new Refusing(network(client), HostNames.normalize(serverName), port);
        if (networks.full(key.network())) {
            refusing.cleanUp(); // entries that expired give their network's places back
        }
        Instant now = clock.instant();
        Remembered refusals = refusing.asMap().compute(key, (k, known) -> known != null ? known.again(now)
                : networks.take(k.network()) ? Remembered.once(now) : null);
        if (refusals == null) {
            log.debug("passthrough: clients in {} hold {} entries; a refusal for {}:{} ({}) is not counted",
                    key.network(), MAX_PINNED_PER_NETWORK, key.serverName(), port, how);
            metrics.passthroughNetworkFull();
            return;
        }
        int count = refusals.count();
        int threshold = config.pinned().threshold();
        if (count == threshold) {
            log.info("passthrough: clients in {} refused Sluice's leaf for {}:{} ({}) {} time(s); their connections to it "
                    + "are spliced for {}", key.network(), key.serverName(), port, how, count, config.pinned().ttl());
            metrics.passthroughLearned(PassthroughReason.PINNED.label());
        } else if (count < threshold) {
            log.info("passthrough: a client in {} refused Sluice's leaf for {}:{} ({}); {} of {} refusals before "
                    + "splicing", key.network(), key.serverName(), port, how, count, threshold);
        }
    }

    /**
     * Why a connection that a rule would bump is to be spliced at once, or null to bump it; a hit is counted on the
     * entry that answers.
     *
     * @param client     the client's address (null when unknown)
     * @param host       the CONNECT host
     * @param serverName the ClientHello's server name, or the CONNECT host when it had none
     */
    public PassthroughReason remembered(InetAddress client, String host, int port, String serverName) {
        Remembered origin = origins.getIfPresent(new Origin(HostNames.normalize(host), port));
        if (origin != null) {
            origin.hits().incrementAndGet();
            return PassthroughReason.MTLS;
        }
        if (client == null) {
            return null;
        }
        Remembered refusals = refusing.getIfPresent(
                new Refusing(network(client), HostNames.normalize(serverName), port));
        if (refusals != null && refusals.count() >= config.pinned().threshold()) {
            refusals.hits().incrementAndGet();
            return PassthroughReason.PINNED;
        }
        return null;
    }

    /**
     * The entries held now.
     *
     * @param perKind the most entries of each kind to show: those most recently learned or refused
     */
    public PassthroughListing entries(int perKind) {
        return select(null, false, perKind);
    }

    /**
     * Forgets entries, so that the next matching connection is bumped again.
     *
     * @param host    an origin host or server name (any case); null for every entry
     * @param perKind the most forgotten entries of each kind to show, as for {@link #entries}
     * @return what was forgotten
     */
    public PassthroughListing clear(String host, int perKind) {
        PassthroughListing removed = select(host == null ? null : HostNames.normalize(host), true, perKind);
        long count = removed.mtls() + removed.pinned();
        if (count > 0) {
            log.info("passthrough: forgot {} entr{}{}", count, count == 1 ? "y" : "ies",
                    host == null ? "" : " for " + host);
        }
        return removed;
    }

    private PassthroughListing select(String host, boolean remove, int perKind) {
        List<PassthroughEntry> selected = new ArrayList<>();
        long mtls = collect(origins, Origin::host, host, remove, perKind, selected,
                (origin, remembered) -> new PassthroughEntry(PassthroughReason.MTLS, origin.host(), origin.port(),
                        null, remembered.count(), true, remembered.first(), remembered.last(),
                        remembered.last().plus(config.mtls().ttl()), remembered.hits().get()));
        long pinned = collect(refusing, Refusing::serverName, host, remove, perKind, selected,
                (key, remembered) -> new PassthroughEntry(PassthroughReason.PINNED, key.serverName(), key.port(),
                        key.network().toString(), remembered.count(), remembered.count() >= config.pinned().threshold(),
                        remembered.first(), remembered.last(), remembered.last().plus(config.pinned().ttl()),
                        remembered.hits().get()));
        selected.sort(LISTING);
        return new PassthroughListing(selected, mtls, pinned);
    }

    /**
     * Adds to {@code into} the {@code perKind} latest of the matching entries (kept in a heap, so no more than those
     * are ever built), removing every match when asked to.
     *
     * @return how many entries matched
     */
    private static <K> long collect(Cache<K, Remembered> cache, Function<K, String> hostOf, String host,
                                    boolean remove, int perKind, List<PassthroughEntry> into,
                                    BiFunction<K, Remembered, PassthroughEntry> entry) {
        PriorityQueue<Map.Entry<K, Remembered>> latest = new PriorityQueue<>(EARLIEST_FIRST);
        long matched = 0;
        for (Map.Entry<K, Remembered> held : cache.asMap().entrySet()) {
            K key = held.getKey();
            if (host != null && !host.equals(hostOf.apply(key))) {
                continue;
            }
            Remembered remembered = remove ? cache.asMap().remove(key) : held.getValue();
            if (remembered == null) {
                continue;
            }
            matched++;
            if (latest.size() < perKind) {
                latest.add(Map.entry(key, remembered));
            } else if (remembered.last().isAfter(latest.peek().getValue().last())) {
                latest.poll();
                latest.add(Map.entry(key, remembered));
            }
        }
        for (Map.Entry<K, Remembered> kept : latest) {
            into.add(entry.apply(kept.getKey(), kept.getValue()));
        }
        return matched;
    }

    private <K> Remembered remember(Cache<K, Remembered> cache, K key) {
        Instant now = clock.instant();
        return cache.asMap().compute(key, (k, known) -> known != null ? known.again(now) : Remembered.once(now));
    }

    /** The client's address with its host bits cleared to {@code ipv4Prefix} / {@code ipv6Prefix}. */
    private Cidr network(InetAddress client) {
        InetAddress address = Cidr.unmapped(client);
        return new Cidr(address, address instanceof Inet4Address
                ? config.pinned().ipv4Prefix() : config.pinned().ipv6Prefix());
    }

    private static long size(Cache<?, ?> cache) {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
