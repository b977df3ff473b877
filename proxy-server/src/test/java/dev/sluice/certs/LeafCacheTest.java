package dev.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.TlsConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeafCacheTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final TlsConfig.Leaf CONFIG = TlsConfig.Leaf.DEFAULTS;

    @TempDir
    static Path dir;
    static LeafMinter minter;
    static KeyPair originKeys;
    static X509Certificate originCa;

    @BeforeAll
    static void makeCa() throws CaException {
        minter = new LeafMinter(CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false),
                CONFIG.maxValidity());
        originKeys = TestPki.ec();
        originCa = TestPki.caCertificate(originKeys, "Origin CA");
    }

    private final AtomicInteger mints = new AtomicInteger();
    private final List<LeafCache> caches = new ArrayList<>();

    @AfterEach
    void close() {
        caches.forEach(LeafCache::close);
    }

    @Test
    void concurrentRequestsForOneKeyMintOnce() throws Exception {
        CountDownLatch everyoneAsked = new CountDownLatch(1);
        LeafCache cache = cache(CONFIG, (host, origin) -> {
            // Hold the mint open until every request is in, so they all meet it in flight.
            await(everyoneAsked);
            return minter.mint(host, origin);
        });
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(30)), "api.example.com");
        int requests = 64;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(16);
        List<Future<CompletableFuture<LeafCertificate>>> asked = new ArrayList<>();
        try {
            for (int i = 0; i < requests; i++) {
                asked.add(callers.submit(() -> {
                    await(start);
                    return cache.get("api.example.com", upstream);
                }));
            }
            start.countDown();
            List<CompletableFuture<LeafCertificate>> answers = new ArrayList<>();
            for (Future<CompletableFuture<LeafCertificate>> future : asked) {
                answers.add(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            everyoneAsked.countDown();

            LeafCertificate first = answers.get(0).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (CompletableFuture<LeafCertificate> answer : answers) {
                assertThat(answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(mints).hasValue(1);
            assertThat(cache.misses()).isEqualTo(1);
            assertThat(cache.hits()).isEqualTo(requests - 1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aNewHostOrANewUpstreamCertificateMintsAgainAndCaseDoesNot() throws Exception {
        LeafCache cache = cache(CONFIG, minter::mint);
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(30)), "example.com");
        X509Certificate renewed = upstream(Instant.now().plus(Duration.ofDays(60)), "example.com", "www.example.com");

        LeafCertificate first = get(cache, "example.com", upstream);
        assertThat(get(cache, "EXAMPLE.com.", upstream)).isSameAs(first);
        LeafCertificate otherHost = get(cache, "www.example.com", upstream);
        LeafCertificate afterRenewal = get(cache, "example.com", renewed);

        assertThat(List.of(otherHost, afterRenewal)).doesNotContain(first);
        assertThat(SubjectAltName.of(afterRenewal.certificate())).contains(SubjectAltName.forHost("www.example.com"));
        assertThat(mints).hasValue(3);
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(3);
    }

    @Test
    void aNameOnlyLeafIsCachedApartFromTheLeavesThatStandInForAnOrigin() throws Exception {
        AtomicReference<String> mintThread = new AtomicReference<>();
        LeafCache cache = new LeafCache(minter, CONFIG, nanos -> {
            mintThread.set(Thread.currentThread().getName());
            mints.incrementAndGet();
        });
        caches.add(cache);
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(30)), "api.example.com");

        LeafCertificate nameOnly = cache.getNameOnly("api.example.com").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        LeafCertificate originBacked = get(cache, "api.example.com", upstream);

        assertThat(originBacked).isNotSameAs(nameOnly);
        assertThat(cache.getNameOnly("API.example.com.").get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isSameAs(nameOnly);
        assertThat(get(cache, "api.example.com", upstream)).isSameAs(originBacked);
        assertThat(SubjectAltName.of(nameOnly.certificate())).containsExactly(SubjectAltName.forHost("api.example.com"));
        assertThat(mints).hasValue(2);
        assertThat(mintThread.get()).startsWith("sluice-mint");
    }

    @Test
    void mintsOnAMintThreadNeverTheCallers() throws Exception {
        AtomicReference<String> mintThread = new AtomicReference<>();
        LeafCache cache = cache(CONFIG, (host, origin) -> {
            mintThread.set(Thread.currentThread().getName());
            return minter.mint(host, origin);
        });

        get(cache, "api.example.com", upstream(Instant.now().plus(Duration.ofDays(30)), "api.example.com"));

        assertThat(mintThread.get()).startsWith("sluice-mint").isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void anExpiredUpstreamFailsAtOnceWithoutMintingOrCaching() {
        LeafCache cache = cache(CONFIG, minter::mint);
        X509Certificate expired = upstream(Instant.now().minus(Duration.ofHours(2)), "old.example.com");

        CompletableFuture<LeafCertificate> answer = cache.get("old.example.com", expired);

        assertThat(answer).isCompletedExceptionally();
        assertThat(answer).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalArgumentException.class).withMessageContaining("would be expired");
        assertThat(cache.misses()).isZero();
        assertThat(mints).hasValue(0);
    }

    @Test
    void aFailedMintIsNotKept() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        LeafCache cache = cache(CONFIG, (host, origin) -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first mint fails");
            }
            return minter.mint(host, origin);
        });
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(30)), "api.example.com");

        assertThat(cache.get("api.example.com", upstream)).failsWithin(Duration.ofSeconds(TIMEOUT_SECONDS))
                .withThrowableOfType(ExecutionException.class).havingCause().withMessage("first mint fails");
        // Caffeine drops the failed entry just after the failure is delivered; ask until a fresh mint answers.
        LeafCertificate answer = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (answer == null && System.nanoTime() < deadline) {
            CompletableFuture<LeafCertificate> future = cache.get("api.example.com", upstream);
            try {
                answer = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException stillTheFailedOne) {
                Thread.sleep(10);
            }
        }

        assertThat(answer).isNotNull();
        assertThat(attempts).hasValue(2);
    }

    @Test
    void keepsAtMostCacheSizeLeaves() throws Exception {
        LeafCache cache = cache(new TlsConfig.Leaf(Duration.ofDays(7), 2, Duration.ofHours(1)), minter::mint);
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(30)), "example.com");
        for (int i = 0; i < 10; i++) {
            get(cache, "h" + i + ".example.com", upstream);
        }

        // Caffeine evicts on its maintenance thread; wait for it rather than for a fixed time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (cache.size() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void anEntryLivesTheTtlButNeverUntilItsLeafExpires() {
        Instant now = Instant.now();
        Duration ttl = Duration.ofHours(1);

        assertThat(LeafCache.lifetime(leafUntil(now.plus(Duration.ofDays(7))), ttl, now)).isEqualTo(ttl);
        assertThat(LeafCache.lifetime(leafUntil(now.plus(Duration.ofMinutes(31))), ttl, now))
                .isBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
        assertThat(LeafCache.lifetime(leafUntil(now.plus(Duration.ofSeconds(30))), ttl, now)).isZero();
    }

    @Test
    void afterCloseCachedLeavesAreServedAndNothingIsMinted() throws Exception {
        LeafCache cache = cache(CONFIG, minter::mint);
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(1)), "api.example.com");
        LeafCertificate cached = get(cache, "api.example.com", upstream);

        cache.close();

        assertThat(get(cache, "api.example.com", upstream)).isSameAs(cached);
        assertThat(cache.get("other.example.com", upstream)).failsWithin(Duration.ofSeconds(TIMEOUT_SECONDS))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void afterDiscardNothingIsServedAnyMore() throws Exception {
        LeafCache cache = cache(CONFIG, minter::mint);
        X509Certificate upstream = upstream(Instant.now().plus(Duration.ofDays(1)), "api.example.com");
        get(cache, "api.example.com", upstream);

        cache.discard();

        assertThat(cache.size()).isZero();
        assertThat(cache.get("api.example.com", upstream)).failsWithin(Duration.ofSeconds(TIMEOUT_SECONDS))
                .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(RejectedExecutionException.class);
    }

    private LeafCache cache(TlsConfig.Leaf config, BiFunction<String, X509Certificate, LeafCertificate> mint) {
        LeafCache cache = new LeafCache(minter, config, mint, nanos -> mints.incrementAndGet());
        caches.add(cache);
        return cache;
    }

    private static LeafCertificate get(LeafCache cache, String host, X509Certificate upstream)
            throws Exception {
        return cache.get(host, upstream).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static X509Certificate upstream(Instant notAfter, String... names) {
        GeneralName[] sans = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            sans[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        return TestPki.serverCertificate(originKeys, originCa, names[0], notAfter, sans);
    }

    private static LeafCertificate leafUntil(Instant notAfter) {
        return minter.mint("a.example", List.of(), notAfter);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
