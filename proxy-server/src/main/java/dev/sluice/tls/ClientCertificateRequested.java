package dev.sluice.tls;

/**
 * Ends an upstream handshake the moment the origin asks for a client certificate ({@link CertificateRequestDetector}):
 * Sluice has none to give, and the client's own can only reach the origin through a splice. Both providers let it
 * reach the handshake's failure as a cause, where {@link UpstreamTlsFailure#classify} finds it. Carries no stack:
 * it is an expected outcome, one per connection to such an origin.
 */
public final class ClientCertificateRequested extends RuntimeException {
    ClientCertificateRequested() {
        super("the origin asked for a client certificate", null, false, false);
    }
}
