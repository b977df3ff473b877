package dev.sluice.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of upstream contexts that may give a bump up for a splice: a provider asks its key manager for
 * a client alias only when the origin sent a CertificateRequest (JDK TLS directly, BoringSSL through Netty's key
 * material callback), and this one answers by throwing {@link ClientCertificateRequested}, which fails that very
 * handshake. The signal thus belongs to the one connection whose engine asked, whatever engine wrapper a provider
 * uses, and it comes before any TLS 1.3 client Finished, so no later {@code certificate_required} alert needs
 * reading. It holds no key: Sluice never presents a client certificate.
 */
final class CertificateRequestDetector extends X509ExtendedKeyManager {
    static final CertificateRequestDetector INSTANCE = new CertificateRequestDetector();

    private CertificateRequestDetector() {
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        throw new ClientCertificateRequested();
    }

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
