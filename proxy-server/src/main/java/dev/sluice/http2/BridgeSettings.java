package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.grpc.CallGate;
import java.time.Duration;

/**
 * How one {@link H2Bridge} behaves.
 *
 * @param idleTimeout  the pair is closed after this long without any open stream
 * @param host         the normalized name the client's TLS session is for: a request whose {@code :authority} names
 *                     another host is answered {@code 421} and never reaches the origin
 * @param callGate     decides each gRPC call (a request with {@code content-type: application/grpc*}); a denied
 *                     call is answered trailers-only {@code grpc-status: 7} and never reaches the origin
 * @param grpcCallView whether gRPC calls are measured as calls ({@link dev.sluice.grpc.GrpcCallRecord}) on top of
 *                     their HTTP record
 * @param h2           what either peer may ask of Sluice ({@code limits.h2})
 */
public record BridgeSettings(Duration idleTimeout, String host, CallGate callGate, boolean grpcCallView,
                             H2LimitsConfig h2) {
}
