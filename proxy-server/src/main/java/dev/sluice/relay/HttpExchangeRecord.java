package dev.sluice.relay;

import dev.sluice.grpc.GrpcCallRecord;
import java.time.Instant;

/**
 * One request relayed inside a bumped connection, for its access-log line and metrics.
 *
 * @param started       when its request head arrived
 * @param protocol      {@code h2} or {@code http/1.1}
 * @param method        the request method
 * @param authority     {@code :authority} or {@code Host}, as the client sent it; null when it sent none
 * @param path          {@code :path} or the request target, as sent
 * @param status        the response status the client got; 0 when it got none (reset, failure)
 * @param bytesUp       request body bytes relayed to the origin
 * @param bytesDown     response body bytes relayed to the client
 * @param durationNanos from the request head to the end of the response (or the reset)
 * @param error         null when both ends completed; else {@code client_reset}, {@code upstream_reset},
 *                      {@code refused_stream}, {@code upstream_closed}, ...
 * @param grpc          the gRPC view of the exchange when it was a gRPC call over HTTP/2 and {@code grpc.callView}
 *                      is on; with it off, Sluice's own answer when Sluice answered such a call itself; and for any
 *                      request a call rule denied, Sluice's answer with that {@code rule}; else null
 */
public record HttpExchangeRecord(Instant started, String protocol, String method, String authority, String path,
                                 int status, long bytesUp, long bytesDown, long durationNanos, String error,
                                 GrpcCallRecord grpc) {
}
