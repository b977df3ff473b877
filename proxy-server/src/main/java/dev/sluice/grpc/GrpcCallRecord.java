package dev.sluice.grpc;

/**
 * The gRPC view of one bumped HTTP/2 exchange whose request had {@code content-type: application/grpc*}, or Sluice's
 * answer to any bumped request (HTTP/2 or HTTP/1.1) whose path a call rule denied; it rides on the exchange's
 * {@link dev.sluice.relay.HttpExchangeRecord} (same timing, status, bytes) into the access log line of the call and
 * the {@code sluice_grpc_*} metrics. Counts come from the 5-byte length-prefixed message framing; payloads are never
 * decoded.
 *
 * @param service          {@code package.Service} from {@code :path}; null when the path is not {@code /service/method}
 * @param method           the method from {@code :path}; null likewise
 * @param code             {@code grpc-status} from the trailers (or a trailers-only response), or -1 when the call
 *                         ended without one (a reset, a connection lost)
 * @param message          {@code grpc-message}, percent-decoded; null when absent
 * @param requestEncoding  the request's {@code grpc-encoding}; null when absent (identity)
 * @param responseEncoding the response's {@code grpc-encoding}; null when absent
 * @param requestMessages  length-prefixed messages the client sent
 * @param responseMessages length-prefixed messages the origin sent
 * @param requestBytes     the message bytes the client sent, without the 5-byte prefixes
 * @param responseBytes    the message bytes the origin sent, without the 5-byte prefixes
 * @param rule             the call rule that denied it, when Sluice answered {@code PERMISSION_DENIED}; else null
 * @param bySluice         whether the status is Sluice's own answer (a denial, or {@code UNAVAILABLE} for a failed
 *                         upstream), not the origin's
 */
public record GrpcCallRecord(String service, String method, int code, String message, String requestEncoding,
                             String responseEncoding, long requestMessages, long responseMessages, long requestBytes,
                             long responseBytes, String rule, boolean bySluice) {
    /** The code's canonical name ({@code OK}, {@code NOT_FOUND}, ...), {@code NONE} without one, else {@code OTHER}. */
    public String statusName() {
        return GrpcStatusNames.of(code);
    }
}
