package dev.sluice.config;

/**
 * The {@code grpc:} block: Sluice's per-call view of gRPC inside bumped HTTP/2 connections.
 *
 * @param callView        whether each gRPC call gets its own access-log line and {@code sluice_grpc_*} metrics
 *                        (service, method, status, messages); off, calls are logged as plain HTTP/2 requests
 * @param maxMethodLabels distinct service/method pairs that get their own metric labels; calls to any other are
 *                        counted under {@code service="other", method="other"}, so a client cannot grow the
 *                        metrics without bound
 */
public record GrpcConfig(boolean callView, int maxMethodLabels) {
    public static final GrpcConfig DEFAULTS = new GrpcConfig(true, 500);
    public static final int MAX_METHOD_LABELS = 100_000;
}
