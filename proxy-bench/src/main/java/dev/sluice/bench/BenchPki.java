package dev.sluice.bench;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import okhttp3.tls.HeldCertificate;

/**
 * The origins' PKI, made in memory at bench start: a CA, and one certificate for every name under
 * {@link #DOMAIN} (a wildcard, as large sites use), so any number of bench host names reach the same origin.
 */
final class BenchPki {
    /** Bench host names live under this; Sluice's {@code hosts:} maps each one used to 127.0.0.1. */
    static final String DOMAIN = "bench.test";

    private final HeldCertificate ca = new HeldCertificate.Builder()
            .commonName("Sluice bench origin CA")
            .certificateAuthority(0)
            .build();
    private final HeldCertificate origin = new HeldCertificate.Builder()
            .commonName("*." + DOMAIN)
            .addSubjectAlternativeName("*." + DOMAIN)
            .signedBy(ca)
            .build();

    /** {@code label.bench.test}. */
    static String host(String label) {
        return label + "." + DOMAIN;
    }

    X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** What Sluice's {@code tls.upstreamTrust} file holds. */
    String caPem() {
        return ca.certificatePem();
    }

    PrivateKey originKey() {
        return origin.keyPair().getPrivate();
    }

    /** The origin's certificate and its CA, as an origin sends them. */
    X509Certificate[] originChain() {
        return new X509Certificate[] {origin.certificate(), ca.certificate()};
    }
}
