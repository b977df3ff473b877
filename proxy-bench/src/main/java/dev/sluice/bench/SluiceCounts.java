package dev.sluice.bench;

/**
 * The Sluice counters and gauges the soak compares with what its clients counted, read from one scrape of
 * {@code /metrics}; {@link #since} turns two scrapes into what happened between them (the gauges stay as read).
 *
 * @param clientConnections {@code sluice_connections_total{kind="client"}}: connections accepted
 * @param tunnels           {@code sluice_connections_total{kind="tunnel"}}: CONNECTs spliced
 * @param bumps             {@code sluice_connections_total{kind="bump"}}: CONNECTs bumped
 * @param refused           {@code sluice_connections_refused_total}: connections a limit refused
 * @param errors            {@code sluice_errors_total}: every reason
 * @param grpcCalls         {@code sluice_grpc_calls_total}: every code
 * @param grpcOkCalls       {@code sluice_grpc_calls_total{code="OK"}}
 * @param requestMessages   {@code sluice_grpc_messages_total{direction="request"}}
 * @param responseMessages  {@code sluice_grpc_messages_total{direction="response"}}
 * @param bytesUpstream     {@code sluice_bytes_total{direction="upstream"}}: client to origin
 * @param bytesDownstream   {@code sluice_bytes_total{direction="downstream"}}
 * @param accessLogDropped  {@code sluice_access_log_dropped_total}: access-log lines dropped (queue full)
 * @param activeConnections {@code sluice_connections_active}, every kind (a gauge)
 * @param activeH2Streams   {@code sluice_h2_streams_active} (a gauge)
 */
record SluiceCounts(long clientConnections, long tunnels, long bumps, long refused, long errors, long grpcCalls,
                    long grpcOkCalls, long requestMessages, long responseMessages, long bytesUpstream,
                    long bytesDownstream, long accessLogDropped, long activeConnections, long activeH2Streams) {

    static SluiceCounts parse(String metrics) {
        return new SluiceCounts(
                value(metrics, "sluice_connections_total", "kind", "client"),
                value(metrics, "sluice_connections_total", "kind", "tunnel"),
                value(metrics, "sluice_connections_total", "kind", "bump"),
                value(metrics, "sluice_connections_refused_total", null, null),
                value(metrics, "sluice_errors_total", null, null),
                value(metrics, "sluice_grpc_calls_total", null, null),
                value(metrics, "sluice_grpc_calls_total", "code", "OK"),
                value(metrics, "sluice_grpc_messages_total", "direction", "request"),
                value(metrics, "sluice_grpc_messages_total", "direction", "response"),
                value(metrics, "sluice_bytes_total", "direction", "upstream"),
                value(metrics, "sluice_bytes_total", "direction", "downstream"),
                value(metrics, "sluice_access_log_dropped_total", null, null),
                value(metrics, "sluice_connections_active", null, null),
                value(metrics, "sluice_h2_streams_active", null, null));
    }

    /** The counters' growth since {@code earlier}; the gauges as they are now. */
    SluiceCounts since(SluiceCounts earlier) {
        return new SluiceCounts(clientConnections - earlier.clientConnections, tunnels - earlier.tunnels,
                bumps - earlier.bumps, refused - earlier.refused, errors - earlier.errors, grpcCalls - earlier.grpcCalls,
                grpcOkCalls - earlier.grpcOkCalls, requestMessages - earlier.requestMessages,
                responseMessages - earlier.responseMessages, bytesUpstream - earlier.bytesUpstream,
                bytesDownstream - earlier.bytesDownstream, accessLogDropped - earlier.accessLogDropped, activeConnections,
                activeH2Streams);
    }

    /** A family Sluice has not registered yet (no call, no error so far) counts as 0. */
    private static long value(String metrics, String name, String label, String labelValue) {
        return Math.round(PrometheusText.sum(metrics, name, label, labelValue).orElse(0));
    }
}
