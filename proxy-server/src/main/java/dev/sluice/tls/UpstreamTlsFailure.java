package dev.sluice.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.util.Locale;

/**
 * Why an upstream TLS handshake failed, read from the exception's cause chain, with the alert the client gets
 * instead (no leaf is minted for an origin that failed verification).
 *
 * <p>Alerts: an origin that asked for a client certificate ({@link ClientCertificateRequested}, only where the bump
 * may splice instead) → {@code handshake_failure} (40); an origin whose chain ends in no trusted anchor → {@code unknown_ca} (48); an origin certificate that
 * is expired, not yet valid or does not name the host → {@code bad_certificate} (42); anything else (no common
 * protocol version or cipher, the origin closed mid-handshake) → {@code handshake_failure} (40).
 */
public enum UpstreamTlsFailure {
    CLIENT_CERTIFICATE("upstream_client_certificate", TlsAlert.HANDSHAKE_FAILURE),
    UNTRUSTED("upstream_untrusted", TlsAlert.UNKNOWN_CA),
    EXPIRED("upstream_expired", TlsAlert.BAD_CERTIFICATE),
    HOSTNAME("upstream_hostname", TlsAlert.BAD_CERTIFICATE),
    HANDSHAKE("upstream_handshake", TlsAlert.HANDSHAKE_FAILURE);

    private final String reason;
    private final int alert;

    UpstreamTlsFailure(String reason, int alert) {
        this.reason = reason;
        this.alert = alert;
    }

    /** The metric label and access-log error. */
    public String reason() {
        return reason;
    }

    /** The alert description sent to the client. */
    public int alert() {
        return alert;
    }

    /** The first cause in the chain that says why; {@link #HANDSHAKE} when none does. */
    public static UpstreamTlsFailure classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ClientCertificateRequested) {
                return CLIENT_CERTIFICATE;
            }
            if (cause instanceof CertificateExpiredException || cause instanceof CertificateNotYetValidException) {
                return EXPIRED;
            }
            if (cause instanceof CertPathValidatorException invalid) {
                if (invalid.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                        || invalid.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return EXPIRED;
                }
                if (invalid.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                    return UNTRUSTED;
                }
                // Other validation failures carry their real reason further down the chain (or none).
            }
            if (cause instanceof CertPathBuilderException) {
                return UNTRUSTED;
            }
            if (cause instanceof CertificateException && namesHostMismatch(cause.getMessage())) {
                return HOSTNAME;
            }
        }
        return HANDSHAKE;
    }

    /** The JDK's host name checker reports a mismatch only in its message ("No subject alternative DNS name ..."). */
    private static boolean namesHostMismatch(String message) {
        if (message == null) {
            return false;
        }
        String text = message.toLowerCase(Locale.ROOT);
        return text.contains("no subject alternative") || text.contains("no name matching");
    }
}
