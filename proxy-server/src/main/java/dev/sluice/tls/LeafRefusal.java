package dev.sluice.tls;

import java.nio.channels.ClosedChannelException;

/**
 * How a client ended its handshake against a minted leaf when it refused it (a pinned or otherwise Sluice-distrusting
 * client), read from the handshake failure's cause chain. Only these count: an alert that says "your certificate"
 * ({@code unknown_ca}, {@code bad_certificate}, {@code certificate_unknown}), {@code internal_error}, or the
 * connection closed once Sluice's ServerHello flight was out. A timeout, a protocol or version mismatch, or anything
 * else is no refusal.
 *
 * <p>{@code internal_error} counts because that is what grpc-java clients (1.85, its shaded Netty with BoringSSL)
 * send when they do not trust the server's chain; JDK clients send {@code certificate_unknown}, Netty 4.2 clients on
 * BoringSSL {@code bad_certificate}, OpenSSL's command-line tools {@code unknown_ca}.
 *
 * <p>What each provider reports for a received alert: the JDK "Received fatal alert: certificate_unknown"; BoringSSL
 * an {@code OpenSslHandshakeException} naming {@code SSLV3_ALERT_CERTIFICATE_UNKNOWN}, {@code TLSV1_ALERT_UNKNOWN_CA},
 * {@code SSLV3_ALERT_BAD_CERTIFICATE} or {@code TLSV1_ALERT_INTERNAL_ERROR}. A close mid-handshake is a
 * {@link ClosedChannelException} from the {@code SslHandler} with either.
 */
public enum LeafRefusal {
    UNKNOWN_CA("unknown_ca", "TLSV1_ALERT_UNKNOWN_CA"),
    BAD_CERTIFICATE("bad_certificate", "SSLV3_ALERT_BAD_CERTIFICATE"),
    CERTIFICATE_UNKNOWN("certificate_unknown", "SSLV3_ALERT_CERTIFICATE_UNKNOWN"),
    INTERNAL_ERROR("internal_error", "TLSV1_ALERT_INTERNAL_ERROR"),
    /** The client closed the connection after Sluice's ServerHello flight, without a word. */
    CLOSED("closed", null);

    private final String label;
    private final String jdkMessage;
    private final String boringSslReason;

    LeafRefusal(String label, String boringSslReason) {
        this.label = label;
        this.jdkMessage = "Received fatal alert: " + label;
        this.boringSslReason = boringSslReason;
    }

    /** For logs: the alert's name, or {@code closed}. */
    public String label() {
        return label;
    }

    /** The refusal a client handshake failure is, or null when it is none. */
    public static LeafRefusal of(Throwable handshakeFailure) {
        for (Throwable cause = handshakeFailure; cause != null;
             cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ClosedChannelException) {
                return CLOSED;
            }
            String message = cause.getMessage();
            if (message == null) {
                continue;
            }
            for (LeafRefusal refusal : values()) {
                if (refusal != CLOSED
                        && (message.contains(refusal.boringSslReason) || message.equals(refusal.jdkMessage))) {
                    return refusal;
                }
            }
        }
        return null;
    }
}
