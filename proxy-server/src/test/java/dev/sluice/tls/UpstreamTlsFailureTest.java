package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.PKIXReason;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class UpstreamTlsFailureTest {
    @Test
    void anExpiredCertificateAnywhereInTheChainIsExpired() {
        Throwable failure = handshake(new CertificateException("PKIX path validation failed",
                new CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter"))));

        assertThat(UpstreamTlsFailure.classify(failure)).isEqualTo(UpstreamTlsFailure.EXPIRED);
        assertThat(UpstreamTlsFailure.EXPIRED.alert()).isEqualTo(TlsAlert.BAD_CERTIFICATE);
    }

    @Test
    void anExpiryReportedByTheValidatorIsExpired() {
        Throwable failure = handshake(new CertPathValidatorException("expired", null, null, -1,
                CertPathValidatorException.BasicReason.EXPIRED));

        assertThat(UpstreamTlsFailure.classify(failure)).isEqualTo(UpstreamTlsFailure.EXPIRED);
    }

    @Test
    void noPathToATrustedAnchorIsUntrusted() {
        Throwable failure = handshake(new CertificateException("PKIX path building failed",
                new CertPathBuilderException("unable to find valid certification path to requested target")));

        assertThat(UpstreamTlsFailure.classify(failure)).isEqualTo(UpstreamTlsFailure.UNTRUSTED);
        assertThat(UpstreamTlsFailure.UNTRUSTED.alert()).isEqualTo(TlsAlert.UNKNOWN_CA);
        assertThat(UpstreamTlsFailure.UNTRUSTED.reason()).isEqualTo("upstream_untrusted");
    }

    @Test
    void aValidatorWithoutATrustAnchorIsUntrusted() {
        Throwable failure = handshake(new CertPathValidatorException("no anchor", null, null, -1,
                PKIXReason.NO_TRUST_ANCHOR));

        assertThat(UpstreamTlsFailure.classify(failure)).isEqualTo(UpstreamTlsFailure.UNTRUSTED);
    }

    @Test
    void theJdkHostNameCheckersMessagesMeanAHostMismatch() {
        assertThat(UpstreamTlsFailure.classify(handshake(
                new CertificateException("No subject alternative DNS name matching origin.test found."))))
                .isEqualTo(UpstreamTlsFailure.HOSTNAME);
        assertThat(UpstreamTlsFailure.classify(handshake(
                new CertificateException("No name matching origin.test found"))))
                .isEqualTo(UpstreamTlsFailure.HOSTNAME);
    }

    @Test
    void anOriginAskingForAClientCertificateIsItsOwnReason() {
        Throwable failure = new SSLHandshakeException("General OpenSslEngine problem");
        failure.initCause(new ClientCertificateRequested());

        assertThat(UpstreamTlsFailure.classify(failure)).isEqualTo(UpstreamTlsFailure.CLIENT_CERTIFICATE);
        assertThat(UpstreamTlsFailure.CLIENT_CERTIFICATE.reason()).isEqualTo("upstream_client_certificate");
    }

    @Test
    void anythingElseIsAPlainHandshakeFailure() {
        assertThat(UpstreamTlsFailure.classify(new SSLHandshakeException("no cipher suites in common")))
                .isEqualTo(UpstreamTlsFailure.HANDSHAKE);
        assertThat(UpstreamTlsFailure.classify(handshake(new CertificateException("bad signature"))))
                .isEqualTo(UpstreamTlsFailure.HANDSHAKE);
        assertThat(UpstreamTlsFailure.HANDSHAKE.alert()).isEqualTo(TlsAlert.HANDSHAKE_FAILURE);
    }

    private static Throwable handshake(Throwable cause) {
        SSLHandshakeException failure = new SSLHandshakeException("handshake failed");
        failure.initCause(cause);
        return failure;
    }
}
