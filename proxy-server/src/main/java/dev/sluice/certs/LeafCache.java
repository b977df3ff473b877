package dev.sluice.certs;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sluice.config.TlsConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Minted leaves by (host, upstream certificate fingerprint), so a host whose certificate changes gets a fresh leaf
 * with its new names. Concurrent requests for one key share one mint. Minting runs on a small dedicated pool, never on the caller's thread: {@link #get} returns at once (a hit costs a SHA-256 of the upstream
 * certificate), and a missed future completes on a mint thread, so an event-loop caller must hop back to its loop
 * before touching its channel.
 *
 * <p>An entry lives {@code cacheTtl} after minting, but never until its leaf expires (it goes
 * {@link #EXPIRY_MARGIN} before), and at most {@code cacheSize} entries are kept. A failed mint is not cached.
 * Only the leaf is kept: every bump shares the client-facing TLS contexts, which pick the leaf per handshake
 * ({@link dev.sluice.tls.ClientFacingTlsContexts}), so a mint is one signature.
 */
public final class LeafCache implements AutoCloseable {
    /** A leaf is dropped this long before it expires, so no client is handed one about to lapse mid-handshake. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    /** Minting is CPU work of a millisecond or two; two threads keep up with a burst without taking the machine. */
    private static final int MINT_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    private final LeafMinter minter;
    private final BiFunction<String, X509Certificate, LeafCertificate> mint;
    private final LongConsumer mintNanos;
    /** Mints only; Caffeine's own bookkeeping stays on its default executor and outlives {@link #close}. */
    private final ExecutorService mintExecutor;
    private final AsyncCache<Key, LeafCertificate> cache;

    /** @param mintNanos told how long each mint took (for a latency metric) */
    public LeafCache(LeafMinter minter, TlsConfig.Leaf config, LongConsumer mintNanos) {
        this(minter, config, minter::mint, mintNanos);
    }

    /** @param mint what a miss runs on a mint thread: {@code minter::mint}, or a test's stand-in around it */
    LeafCache(LeafMinter minter, TlsConfig.Leaf config, BiFunction<String, X509Certificate, LeafCertificate> mint,
              LongConsumer mintNanos) {
        this.minter = minter;
        this.mint = mint;
        this.mintNanos = mintNanos;
        this.mintExecutor = Executors.newFixedThreadPool(MINT_THREADS, new DefaultThreadFactory("sluice-mint", true));
        Duration ttl = config.cacheTtl();
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.cacheSize())
                .expireAfter(Expiry.<Key, LeafCertificate>creating((key, leaf) -> lifetime(leaf, ttl, Instant.now())))
                .recordStats()
                .buildAsync();
    }

    /**
     * The leaf for {@code host} (SNI, or the CONNECT host without one) standing in for {@code upstream}, the
     * origin's verified certificate. Never throws: the future fails with {@link IllegalArgumentException} when no
     * valid leaf can be minted (an expired upstream certificate or CA, a host that is no name), with
     * {@link java.util.concurrent.RejectedExecutionException} after {@link #close}, or with whatever
     * the mint threw. Requests that joined a failing mint share its failure; the failed entry is then dropped, so a
     * later request mints afresh.
     */
    public CompletableFuture<LeafCertificate> get(String host, X509Certificate upstream) {
        return cached(host, upstream.getNotAfter().toInstant(), upstream, () -> mint.apply(host, upstream));
    }

    /**
     * A leaf naming {@code host} alone ({@link LeafMinter#mintNameOnly}), for a client Sluice answers itself with no
     * origin behind it. Cached apart from every origin-backed leaf (its key has no certificate fingerprint, theirs
     * always one), so it never stands in for an origin. Fails, never throws, as {@link #get} does.
     */
    public CompletableFuture<LeafCertificate> getNameOnly(String host) {
        return cached(host, LeafMinter.NO_ORIGIN, null, () -> minter.mintNameOnly(host));
    }

    /** @param upstream the origin certificate the leaf stands in for; null for a name-only leaf */
    private CompletableFuture<LeafCertificate> cached(String host, Instant upstreamNotAfter, X509Certificate upstream,
                                                      Supplier<LeafCertificate> mint) {
        Key key;
        try {
            // Checked here so that a doomed request never occupies a cache slot or a mint thread.
            minter.requireMintable(host, upstreamNotAfter);
            key = new Key(SubjectAltName.forHost(host), upstream == null ? null : CertificateFingerprint.sha256(upstream));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            return cache.get(key, (k, caffeineExecutor) -> CompletableFuture.supplyAsync(() -> timedMint(mint),
                    mintExecutor));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Requests answered from the cache, including those that joined a mint in flight. */
    public long hits() {
        return cache.synchronous().stats().hitCount();
    }

    /** Requests that started a mint. */
    public long misses() {
        return cache.synchronous().stats().missCount();
    }

    /** Leaves held now (approximate, as Caffeine counts). */
    public long size() {
        return cache.synchronous().estimatedSize();
    }

    /** Stops the mint threads; cached leaves are still served, anything else fails. */
    @Override
    public void close() {
        mintExecutor.shutdown();
    }

    /**
     * Closes and drops every leaf held: a reload replaced this cache (another CA, other leaf limits), and a connection
     * still holding it must not be handed one of its leaves; its bump fails instead and the client retries on a new
     * connection. A mint already running finishes for the requests waiting on it.
     */
    public void discard() {
        close();
        cache.synchronous().invalidateAll();
    }

    private LeafCertificate timedMint(Supplier<LeafCertificate> mint) {
        long start = System.nanoTime();
        LeafCertificate leaf = mint.get();
        mintNanos.accept(System.nanoTime() - start);
        return leaf;
    }

    /** How long an entry minted {@code now} is kept. */
    static Duration lifetime(LeafCertificate leaf, Duration ttl, Instant now) {
        Duration untilExpiry = Duration.between(now, leaf.certificate().getNotAfter().toInstant()).minus(EXPIRY_MARGIN);
        Duration lifetime = untilExpiry.compareTo(ttl) < 0 ? untilExpiry : ttl;
        return lifetime.isNegative() ? Duration.ZERO : lifetime;
    }

    /** @param upstreamFingerprint null for a name-only leaf */
    private record Key(SubjectAltName host, String upstreamFingerprint) {
    }
}
