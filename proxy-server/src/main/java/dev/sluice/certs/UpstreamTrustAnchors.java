package dev.sluice.certs;

import dev.sluice.config.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The certificates an origin's chain may end in when Sluice bumps it: {@code tls.upstreamTrust}, loaded once. */
public final class UpstreamTrustAnchors {
    static final String FILE = "upstream trust file";

    private UpstreamTrustAnchors() {
    }

    /** A PKIX trust manager factory over the JVM's default anchors ({@code system}) plus every PEM file. */
    public static TrustManagerFactory load(TlsConfig.UpstreamTrust trust) throws CaException {
        List<X509Certificate> anchors = new ArrayList<>();
        try {
            if (trust.system()) {
                anchors.addAll(List.of(systemTrustManager().getAcceptedIssuers()));
            }
            for (Path file : trust.files()) {
                List<X509Certificate> certificates = Pem.readCertificates(file, FILE);
                if (certificates.isEmpty()) {
                    throw new CaException("the " + FILE + " " + file + " holds no PEM CERTIFICATE");
                }
                anchors.addAll(certificates);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("anchor-" + i, anchors.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new CaException("cannot build the upstream trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JVM's default trust manager factory has no X.509 trust manager");
    }
}
