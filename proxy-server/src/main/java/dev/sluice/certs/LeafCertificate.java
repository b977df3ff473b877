package dev.sluice.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A minted leaf, the CA that signed it, and the leaf's private key (the process-wide leaf key).
 *
 * @param certificate the leaf
 * @param issuer      Sluice's CA certificate
 * @param key         the leaf's private key
 */
public record LeafCertificate(X509Certificate certificate, X509Certificate issuer, PrivateKey key) {
    /** {@code [leaf, ca]}, as a TLS server sends it (e.g. to {@code SslContextBuilder.forServer(key, chain)}). */
    public X509Certificate[] chain() {
        return new X509Certificate[] {certificate, issuer};
    }
}
