package dev.sluice.front;

import dev.sluice.http1.ProxyErrorResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The answers the front door gives by itself, before any upstream is involved. */
enum FrontError {
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "http_request_error", "bad_request"),
    URI_TOO_LONG(ProxyErrorResponse.URI_TOO_LONG, "http_request_error", "request_line_too_long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "http_request_error", "headers_too_large"),
    HEADER_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "http_request_error", "request_header_timeout"),
    AUTH_REQUIRED(HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, "http_request_denied", "auth_required"),
    /** A policy decision; counted as a decision, not an error. */
    DENIED(HttpResponseStatus.FORBIDDEN, "http_request_denied", null),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "http_request_error", "method_not_allowed"),
    NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED, "http_request_error", "not_implemented"),
    VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_protocol_error",
            "version_not_supported");

    final HttpResponseStatus status;
    /** RFC 9209 error type for {@code Proxy-Status}. */
    final String proxyStatusError;
    /** {@code sluice_errors_total{reason}} and the access log's {@code error}; null when not an error. */
    final String reason;

    FrontError(HttpResponseStatus status, String proxyStatusError, String reason) {
        this.status = status;
        this.proxyStatusError = proxyStatusError;
        this.reason = reason;
    }
}
