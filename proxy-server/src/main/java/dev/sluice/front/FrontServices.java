package dev.sluice.front;

import dev.sluice.config.GrpcConfig;
import dev.sluice.config.LimitsConfig;
import dev.sluice.config.TimeoutsConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.Policy;
import dev.sluice.policy.ProxyAuthenticator;
import dev.sluice.tls.BumpContexts;
import dev.sluice.upstream.UpstreamConnector;

/**
 * What the front door needs, shared by every client connection of one server.
 *
 * @param bump what bumps share; null when {@code tls:} is off (config then allows no bump)
 * @param grpc the per-call view of bumped gRPC
 */
public record FrontServices(Policy policy, ProxyAuthenticator authenticator, UpstreamConnector connector,
                            Metrics metrics, AccessLog accessLog, TimeoutsConfig timeouts, LimitsConfig limits,
                            BumpContexts bump, GrpcConfig grpc) {
    /** Without {@code tls:}: nothing is bumped. */
    public FrontServices(Policy policy, ProxyAuthenticator authenticator, UpstreamConnector connector,
                         Metrics metrics, AccessLog accessLog, TimeoutsConfig timeouts, LimitsConfig limits) {
        this(policy, authenticator, connector, metrics, accessLog, timeouts, limits, null, GrpcConfig.DEFAULTS);
    }

    /** Counts an answer Sluice gave itself. */
    void countAnswer(Exchange exchange, int status) {
        // Metrics bounds the method label itself; an unparsable request has none.
        metrics.httpRequest(exchange.method() == null ? "NONE" : exchange.method(), status);
    }

    /** The access-log line of an exchange, and its error counted by reason. */
    void finish(Exchange exchange, int status, Decision decision, String error, long bytesUp, long bytesDown) {
        finish(exchange, status, decision, error, bytesUp, bytesDown, null, null);
    }

    /** As above, for a peeked CONNECT: with the negotiated protocol (bumps) and the ClientHello's SNI. */
    void finish(Exchange exchange, int status, Decision decision, String error, long bytesUp, long bytesDown,
                String protocol, String sni) {
        finish(exchange, status, decision, error, bytesUp, bytesDown, protocol, sni, null);
    }

    /** As above, for a bump that automatic passthrough spliced: {@code passthrough} says why ({@code mtls}, ...). */
    void finish(Exchange exchange, int status, Decision decision, String error, long bytesUp, long bytesDown,
                String protocol, String sni, String passthrough) {
        if (error != null) {
            metrics.error(error);
        }
        log(exchange, status, decision, error, bytesUp, bytesDown, protocol, sni, passthrough);
    }

    /** As {@link #finish}, but for an error already counted (by the exchange whose failure ended the connection). */
    void log(Exchange exchange, int status, Decision decision, String error, long bytesUp, long bytesDown,
             String protocol, String sni, String passthrough) {
        accessLog.log(new AccessLogEntry(exchange.started(), exchange.clientText(), exchange.user(),
                exchange.method(), exchange.target(), decision == null ? null : decision.action().yamlName(),
                decision == null ? null : decision.rule(), status, bytesUp, bytesDown, exchange.elapsedMillis(),
                error, protocol, sni, passthrough, null));
    }
}
