package dev.sluice.observe;

import dev.sluice.config.Action;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Every Sluice metric, named in one place ({@code sluice_*}). Hot-path meters (bytes) are resolved once
 * and held in fields; the rest are looked up by tag, bounded by config (rule names) or by enums (reasons).
 *
 * <ul>
 *   <li>{@code sluice_connections_active{kind}} gauge and {@code sluice_connections_total{kind}}: kind is
 *       {@code client} (accepted), {@code tunnel} (CONNECT splice), {@code forward} (absolute-form request)</li>
 *   <li>{@code sluice_decisions_total{action,rule}}</li>
 *   <li>{@code sluice_bytes_total{direction}}: {@code upstream} (client to origin), {@code downstream}</li>
 *   <li>{@code sluice_upstream_connect_seconds} histogram</li>
 *   <li>{@code sluice_errors_total{reason}}</li>
 *   <li>{@code sluice_http_requests_total{method,status}} for forwarded requests and Sluice's own answers</li>
 *   <li>JVM (memory, GC, threads) and Netty pooled allocator metrics</li>
 * </ul>
 */
public final class Metrics {
    public static Metrics create() {
        throw new UnsupportedOperationException("implemented in observe branch");
    }

    public PrometheusMeterRegistry registry() {
        throw new UnsupportedOperationException();
    }

    /** Prometheus text exposition. */
    public String scrape() {
        throw new UnsupportedOperationException();
    }

    public void connectionOpened(String kind) {
        throw new UnsupportedOperationException();
    }

    public void connectionClosed(String kind) {
        throw new UnsupportedOperationException();
    }

    public void decision(Action action, String rule) {
        throw new UnsupportedOperationException();
    }

    public void bytesUpstream(long n) {
        throw new UnsupportedOperationException();
    }

    public void bytesDownstream(long n) {
        throw new UnsupportedOperationException();
    }

    public void upstreamConnectNanos(long nanos) {
        throw new UnsupportedOperationException();
    }

    public void error(String reason) {
        throw new UnsupportedOperationException();
    }

    public void httpRequest(String method, int status) {
        throw new UnsupportedOperationException();
    }
}
