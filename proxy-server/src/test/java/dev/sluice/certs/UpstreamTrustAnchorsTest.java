package dev.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.TlsConfig;
import dev.sluice.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.tls.Certificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamTrustAnchorsTest {
    @TempDir
    Path dir;

    @Test
    void aPemFileAloneTrustsExactlyItsCertificates() throws Exception {
        Path pem = Files.writeString(dir.resolve("extra.pem"),
                Certificates.certificatePem(TestPki.get().caCertificate()));

        X509TrustManager trust = trustManager(UpstreamTrustAnchors.load(new TlsConfig.UpstreamTrust(false, List.of(pem))));

        assertThat(trust.getAcceptedIssuers()).containsExactly(TestPki.get().caCertificate());
        trust.checkServerTrusted(new X509Certificate[] {TestPki.get().server().certificate()}, "ECDHE_ECDSA");
    }

    @Test
    void systemAddsTheJvmsDefaultAnchors() throws Exception {
        Path pem = Files.writeString(dir.resolve("extra.pem"),
                Certificates.certificatePem(TestPki.get().caCertificate()));

        X509TrustManager trust = trustManager(UpstreamTrustAnchors.load(new TlsConfig.UpstreamTrust(true, List.of(pem))));

        assertThat(trust.getAcceptedIssuers()).contains(TestPki.get().caCertificate()).hasSizeGreaterThan(1);
    }

    @Test
    void aFileWithoutCertificatesIsRefusedByName() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");

        assertThatThrownBy(() -> UpstreamTrustAnchors.load(new TlsConfig.UpstreamTrust(true, List.of(empty))))
                .isInstanceOf(CaException.class)
                .hasMessageContaining(empty.toString());
    }

    private static X509TrustManager trustManager(TrustManagerFactory factory) {
        return (X509TrustManager) factory.getTrustManagers()[0];
    }
}
