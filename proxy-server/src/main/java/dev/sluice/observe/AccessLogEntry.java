package dev.sluice.observe;

import dev.sluice.grpc.GrpcCallRecord;
import java.time.Instant;

/**
 * One line of the JSON access log. Null fields are omitted from the JSON.
 *
 * @param time       when the request or connection started
 * @param client     client address:port
 * @param user       authenticated proxy user, or null
 * @param method     {@code CONNECT}, {@code GET}, ...
 * @param target     {@code host:port} for CONNECT, the absolute URI otherwise
 * @param action     {@code splice}, {@code deny}, {@code bump}, {@code forward}; null if no decision was reached
 * @param rule       deciding rule name, or null
 * @param status     HTTP status Sluice or the origin answered (0 if none was sent)
 * @param bytesUp    bytes client to origin (payload, after the CONNECT or request head)
 * @param bytesDown  bytes origin to client
 * @param durationMs from start to close or response end
 * @param error      short reason when something failed ({@code connect_refused}, {@code client_reset}, ...), or null
 * @param protocol   for a bumped connection, the ALPN protocol negotiated ({@code h2}, {@code http/1.1}, {@code none});
 *                   for a request inside one, its HTTP version; null otherwise
 * @param sni        for a bumped or peeked connection, the server name the client's ClientHello carried, or null
 * @param passthrough for a connection a rule would bump that automatic passthrough spliced, why: {@code mtls} or
 *                   {@code pinned}; null otherwise
 * @param grpc       for a gRPC call inside a bumped HTTP/2 connection, the call's view (written as {@code grpc_*}
 *                   fields); null otherwise
 */
public record AccessLogEntry(Instant time, String client, String user, String method, String target, String action,
                             String rule, int status, long bytesUp, long bytesDown, long durationMs, String error,
                             String protocol, String sni, String passthrough, GrpcCallRecord grpc) {
    /** A line that is no gRPC call and that no automatic passthrough decided. */
    public AccessLogEntry(Instant time, String client, String user, String method, String target, String action,
                          String rule, int status, long bytesUp, long bytesDown, long durationMs, String error,
                          String protocol, String sni) {
        this(time, client, user, method, target, action, rule, status, bytesUp, bytesDown, durationMs, error, protocol,
                sni, null, null);
    }

    /** A line with neither protocol nor SNI: the front door's answers, splices and forwarded requests. */
    public AccessLogEntry(Instant time, String client, String user, String method, String target, String action,
                          String rule, int status, long bytesUp, long bytesDown, long durationMs, String error) {
        this(time, client, user, method, target, action, rule, status, bytesUp, bytesDown, durationMs, error, null,
                null, null, null);
    }
}
