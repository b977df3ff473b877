package dev.sluice.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of upstream contexts that may give a bump up for a splice: a provider asks its key manager for
 * a client alias only when the origin sent a CertificateRequest (JDK TLS directly, BoringSSL through Netty's key
 * material callback), and this one answers by throwing {@link ClientCertificateRequested}, which fails that very
 * handshake. The signal thus belongs to the one connection whose engine asked, whatever engine wrapper a provider
 * uses, and it comes before any TLS 1.3 client Finished, so no later {@code certificate_required} alert needs
 * reading. It holds no key: Sluice never presents a client certificate.
 *
 * <p>Only the first handshake ends so. A request in a TLS 1.2 renegotiation (IIS and Apache ask per path, long
 * after the bump was handed over) can no longer lead to a splice: it gets no certificate, and the connection carries
 * on for the origin to decide, as before Sluice learned to splice. (With BoringSSL, Netty sends the renegotiation's
 * next client flight only once the client writes again, whichever answer is given here; with "none" the connection
 * then carries on, where a throw would end it.)
 */
final class CertificateRequestDetector extends X509ExtendedKeyManager {
    static final CertificateRequestDetector INSTANCE = new CertificateRequestDetector();
    /** The suite both providers name for a session no handshake has established yet. */
    private static final String NO_SUITE = "SSL_NULL_WITH_NULL_NULL";

    private CertificateRequestDetector() {
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        if (established(engine.getSession())) {
            return null;
        }
        throw new ClientCertificateRequested();
    }

    /**
     * Whether a handshake completed before: the session's suite is a real one. {@code isValid()} would not do: the
     * JDK invalidates the established session while it renegotiates.
     */
    private static boolean established(SSLSession session) {
        return session != null && !NO_SUITE.equals(session.getCipherSuite());
    }

    /** Sluice's TLS runs on engines only; no socket ever asks. */
    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        throw new ClientCertificateRequested();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return null;
    }
}
