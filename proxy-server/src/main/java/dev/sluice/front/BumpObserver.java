package dev.sluice.front;

import dev.sluice.observe.AccessLogEntry;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;

/**
 * What a bumped connection reports: an access-log line and a request count per HTTP exchange inside it, bridged
 * HTTP/2 streams, and (as every tunnel) its bytes and its own connection line when it closes.
 */
final class BumpObserver extends TunnelObserver implements HttpRelayObserver {
    private final Authority target;

    /** @param protocol the negotiated ALPN protocol, {@code none} for none */
    BumpObserver(FrontServices services, Exchange exchange, Decision decision, Authority target, String protocol,
                 String sni) {
        super(services, exchange, decision, Metrics.KIND_BUMP, protocol, sni);
        this.target = target;
    }

    @Override
    public void exchanged(HttpExchangeRecord record) {
        String authority = record.authority() == null ? target.toString() : record.authority();
        String path = record.path() == null ? "" : record.path();
        services.accessLog().log(new AccessLogEntry(record.started(), exchange.clientText(), exchange.user(),
                record.method(), "https://" + authority + path, decision.action().yamlName(), decision.rule(),
                record.status(), record.bytesUp(), record.bytesDown(), record.durationNanos() / 1_000_000,
                record.error(), record.protocol(), sni, record.grpc()));
        services.metrics().httpRequest(record.protocol(), record.method(), record.status());
        if (record.grpc() != null) {
            services.metrics().grpcCall(record.grpc(), record.durationNanos());
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
}
