package dev.sluice.policy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.config.AuthConfig;
import dev.sluice.config.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks a {@code Proxy-Authorization: Basic ...} value against salted PBKDF2 hashes in constant time.
 *
 * <p>PBKDF2 is slow on purpose, so it runs on a small pool owned by this authenticator, never on the caller's
 * thread. A header that verified once is remembered (by its SHA-256, for {@value #CACHE_MINUTES} minutes), so a
 * client's next request gets an already-completed future. Concurrent checks of one header share one PBKDF2 run.
 * Unknown users cost one PBKDF2 run like known ones, so timing does not reveal which users exist.
 */
public final class ProxyAuthenticator {
    static final int CACHE_MINUTES = 5;
    private static final int CACHE_SIZE = 10_000;
    /** Pending checks beyond this are refused (answered as failed logins) instead of queueing without bound. */
    private static final int QUEUE_SIZE = 64;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final AuthConfig auth;
    private final PasswordHash decoy;
    private final Executor verifier;
    private final AsyncCache<String, String> verified;

    public ProxyAuthenticator(AuthConfig auth) {
        this.auth = auth;
        this.decoy = decoy(auth);
        this.verifier = verifierPool();
        this.verified = Caffeine.newBuilder()
                .maximumSize(CACHE_SIZE)
                .expireAfterWrite(Duration.ofMinutes(CACHE_MINUTES))
                .buildAsync();
    }

    public boolean enabled() {
        return auth.enabled();
    }

    /**
     * Completes with the authenticated user name, or null when the header is missing, malformed or wrong (or
     * when too many checks are already waiting). A fresh check completes on an authenticator thread: continue
     * on your event loop, e.g. {@code thenAcceptAsync(..., channel.eventLoop())}.
     */
    public CompletableFuture<String> authenticate(String proxyAuthorizationHeader) {
        BasicCredentials credentials = enabled() ? BasicCredentials.parse(proxyAuthorizationHeader) : null;
        if (credentials == null) {
            return CompletableFuture.completedFuture(null);
        }
        // A future that completes with null is dropped by the cache, so only successes are remembered.
        return verified.get(sha256(proxyAuthorizationHeader), (key, unused) -> verify(credentials)).copy();
    }

    /** The {@code Proxy-Authenticate} challenge value. */
    public String challenge() {
        return "Basic realm=\"" + auth.realm() + "\", charset=\"UTF-8\"";
    }

    private CompletableFuture<String> verify(BasicCredentials credentials) {
        CompletableFuture<String> result = new CompletableFuture<>();
        try {
            verifier.execute(() -> {
                try {
                    result.complete(check(credentials));
                } catch (RuntimeException e) {
                    result.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            result.complete(null);
        }
        return result;
    }

    private String check(BasicCredentials credentials) {
        PasswordHash stored = auth.users().get(credentials.user());
        try {
            boolean matches = PasswordHasher.matches(credentials.password(), stored != null ? stored : decoy);
            return matches && stored != null ? credentials.user() : null;
        } finally {
            Arrays.fill(credentials.password(), '\0');
        }
    }

    /** A hash no password produces, as costly as the most costly real one. */
    private static PasswordHash decoy(AuthConfig auth) {
        int iterations = auth.users().values().stream()
                .mapToInt(PasswordHash::iterations)
                .max()
                .orElse(PasswordHasher.DEFAULT_ITERATIONS);
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[PasswordHasher.SALT_BYTES];
        byte[] hash = new byte[PasswordHasher.HASH_BYTES];
        random.nextBytes(salt);
        random.nextBytes(hash);
        return new PasswordHash(iterations, salt, hash);
    }

    private static Executor verifierPool() {
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_SIZE), runnable -> {
                    Thread thread = new Thread(runnable, "sluice-auth-" + THREADS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        // Idle threads exit, so an authenticator replaced by a config reload leaves nothing behind.
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
