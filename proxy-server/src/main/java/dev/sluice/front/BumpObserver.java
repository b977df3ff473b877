package dev.sluice.front;

import dev.sluice.config.Action;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;

/**
 * What a bumped connection reports: an access-log line, a request count and its error (counted by reason) per HTTP
 * exchange inside it, bridged HTTP/2 streams, and (as every tunnel) its bytes and its own connection line when it
 * closes. A gRPC call a call rule denied is logged with action {@code deny} and that rule.
 *
 * <p>A failure is counted in {@code sluice_errors_total} once: by the exchange it failed. An HTTP/1.1 connection
 * (one exchange at a time) cut with its exchange names that exchange's error on its own line too, uncounted; an
 * HTTP/2 connection's error is its own (its streams' errors are each stream's).
 */
final class BumpObserver extends TunnelObserver implements HttpRelayObserver {
    private final Authority target;
    private final boolean http1;
    /** The error of the last exchange reported, counted already; null when it succeeded. */
    private String lastError;

    /** @param protocol the negotiated ALPN protocol, {@code none} for none */
    BumpObserver(FrontServices services, Exchange exchange, Decision decision, Authority target, String protocol,
                 String sni) {
        super(services, exchange, decision, Metrics.KIND_BUMP, protocol, sni);
        this.target = target;
        this.http1 = !Metrics.PROTOCOL_H2.equals(protocol);
    }

    @Override
    public void closed(long bytesUp, long bytesDown, String error) {
        closed(bytesUp, bytesDown, error, !(http1 && error != null && error.equals(lastError)));
    }

    @Override
    public void exchanged(HttpExchangeRecord record) {
        String authority = record.authority() == null ? target.toString() : record.authority();
        String path = record.path() == null ? "" : record.path();
        GrpcCallRecord call = record.grpc();
        boolean denied = call != null && call.rule() != null;
        // Sluice's answer to a failed upstream, never the origin's own UNAVAILABLE
        boolean unavailable = !denied && call != null && call.bySluice() && call.code() == GrpcAnswer.UNAVAILABLE;
        services.accessLog().log(new AccessLogEntry(record.started(), exchange.clientText(), exchange.user(),
                record.method(), "https://" + authority + path,
                denied ? Action.DENY.yamlName() : decision.action().yamlName(), denied ? call.rule() : decision.rule(),
                record.status(), record.bytesUp(), record.bytesDown(), record.durationNanos() / 1_000_000,
                record.error(), record.protocol(), sni, null, call));
        services.metrics().httpRequest(record.protocol(), record.method(), record.status());
        lastError = record.error();
        if (record.error() != null) {
            services.metrics().error(record.error());
        }
        if (denied) {
            services.metrics().grpcDenied(call.rule());
        } else if (unavailable) {
            services.metrics().grpcUnavailable(record.error());
        }
        if (call != null && services.grpc().callView()) {
            services.metrics().grpcCall(call, record.durationNanos(), call.bySluice());
        }
    }

    @Override
    public void streamOpened() {
        services.metrics().h2StreamOpened();
    }

    @Override
    public void streamClosed() {
        services.metrics().h2StreamClosed();
    }

    @Override
    public void h2Abuse(String leg, String kind) {
        services.metrics().h2Abuse(leg, kind);
    }

    @Override
    public void h2StreamRefused(String reason) {
        services.metrics().h2StreamRefused(reason);
    }
}
