package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code tls:} block: Sluice's own certificate authority, the leaves it mints, and whom it trusts upstream.
 * Relative paths are kept as written and so resolve against the working directory of the process, like
 * {@code accessLog.path} and {@code ca init --dir}.
 *
 * @param enabled       true when the file has a {@code tls:} block (even an empty one): {@code run} then loads its
 *                      CA, creating one on first start, and the admin server serves {@code /ca.crt}. Without the
 *                      block Sluice touches no key material.
 * @param ca            where the CA certificate and key live
 * @param leaf          limits on minted leaves and their cache
 * @param upstreamTrust what an upstream certificate must chain to
 * @param provider      which TLS implementation bumps use
 */
public record TlsConfig(boolean enabled, Ca ca, Leaf leaf, UpstreamTrust upstreamTrust, Provider provider) {
    /** No {@code tls:} block: every default, and nothing is loaded. */
    public static final TlsConfig DEFAULTS = new TlsConfig(false, Ca.DEFAULTS, Leaf.DEFAULTS, UpstreamTrust.DEFAULTS,
            Provider.AUTO);

    /** {@code auto}: BoringSSL (netty-tcnative) where it loads, else the JDK's TLS. */
    public enum Provider {
        AUTO, OPENSSL, JDK
    }

    /**
     * @param cert PEM certificate, served at {@code /ca.crt}
     * @param key  PEM private key (RSA or EC; PKCS#8, PKCS#1 or SEC1); must not be readable by others
     */
    public record Ca(Path cert, Path key) {
        public static final Ca DEFAULTS = new Ca(Path.of("certs", "ca.crt"), Path.of("certs", "ca.key"));
    }

    /**
     * @param maxValidity the longest a minted leaf is valid; it is also never valid past the upstream certificate
     *                    or the CA
     * @param cacheSize   minted leaves kept, least recently used dropped first
     * @param cacheTtl    how long a minted leaf is reused after minting (never past its own expiry)
     */
    public record Leaf(Duration maxValidity, int cacheSize, Duration cacheTtl) {
        public static final Leaf DEFAULTS = new Leaf(Duration.ofDays(7), 2048, Duration.ofHours(1));
        /** Browsers refuse leaves valid for longer than 398 days; one day of margin. */
        public static final Duration MAX_VALIDITY_LIMIT = Duration.ofDays(397);
        public static final Duration MIN_VALIDITY = Duration.ofHours(1);
        public static final int MAX_CACHE_SIZE = 1_000_000;
    }

    /**
     * Written {@code upstreamTrust: [system, /etc/sluice/extra-ca.pem]}.
     *
     * @param system whether the JVM's default trust store counts
     * @param files  extra PEM files of CA certificates
     */
    public record UpstreamTrust(boolean system, List<Path> files) {
        public static final String SYSTEM = "system";
        public static final UpstreamTrust DEFAULTS = new UpstreamTrust(true, List.of());

        public UpstreamTrust {
            files = List.copyOf(files);
        }
    }
}
