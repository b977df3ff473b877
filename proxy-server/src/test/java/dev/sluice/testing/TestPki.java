package dev.sluice.testing;

import java.security.cert.X509Certificate;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A certificate authority and one server certificate, made when the tests start and never written to disk.
 * The server certificate names {@link #ORIGIN_HOST}, {@code localhost} and {@code 127.0.0.1}, so an origin on
 * loopback can be reached by a real name through Sluice's {@code hosts:} override.
 */
public final class TestPki {
    /** The name test clients use for origins; {@link SluiceFixture} maps it to 127.0.0.1. */
    public static final String ORIGIN_HOST = "origin.test";

    private static final TestPki INSTANCE = new TestPki();

    private final HeldCertificate ca;
    private final HeldCertificate server;
    private final HandshakeCertificates serverCertificates;
    private final HandshakeCertificates clientCertificates;

    private TestPki() {
        ca = new HeldCertificate.Builder()
                .commonName("Sluice Test CA")
                .certificateAuthority(0)
                .build();
        server = new HeldCertificate.Builder()
                .commonName(ORIGIN_HOST)
                .addSubjectAlternativeName(ORIGIN_HOST)
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1")
                .signedBy(ca)
                .build();
        serverCertificates = new HandshakeCertificates.Builder()
                .heldCertificate(server, ca.certificate())
                .build();
        clientCertificates = new HandshakeCertificates.Builder()
                .addTrustedCertificate(ca.certificate())
                .build();
    }

    public static TestPki get() {
        return INSTANCE;
    }

    /** The CA's key pair and certificate, for tests that sign origin certificates of their own. */
    public HeldCertificate ca() {
        return ca;
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    /** The origin's key pair and certificate. */
    public HeldCertificate server() {
        return server;
    }

    /** For an origin: presents the server certificate and its CA. */
    public HandshakeCertificates serverCertificates() {
        return serverCertificates;
    }

    /** For a client: trusts the test CA only. */
    public HandshakeCertificates clientCertificates() {
        return clientCertificates;
    }
}
