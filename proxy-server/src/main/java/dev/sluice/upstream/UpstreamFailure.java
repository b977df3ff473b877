package dev.sluice.upstream;

/**
 * Why an upstream connection could not be had, and the HTTP status a client gets for it.
 * {@code proxyStatusError} is the RFC 9209 error type for {@code Proxy-Status}.
 */
public enum UpstreamFailure {
    DNS_FAILURE(504, "dns_error", "dns_failure"),
    DESTINATION_DENIED(403, "destination_ip_prohibited", "destination_denied"),
    CONNECT_TIMEOUT(504, "connection_timeout", "connect_timeout"),
    CONNECT_REFUSED(502, "connection_refused", "connect_refused"),
    CONNECT_ERROR(502, "destination_unavailable", "connect_error");

    private final int status;
    private final String proxyStatusError;
    private final String metricReason;

    UpstreamFailure(int status, String proxyStatusError, String metricReason) {
        this.status = status;
        this.proxyStatusError = proxyStatusError;
        this.metricReason = metricReason;
    }

    public int status() {
        return status;
    }

    public String proxyStatusError() {
        return proxyStatusError;
    }

    /** What a failed {@link UpstreamConnector#connect} future's cause says; anything unexpected is a connect error. */
    public static UpstreamFailure of(Throwable cause) {
        return cause instanceof UpstreamException upstream ? upstream.failure() : CONNECT_ERROR;
    }

    /** The {@code reason} label value and access-log {@code error} field. */
    public String metricReason() {
        return metricReason;
    }
}
