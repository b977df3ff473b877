package dev.sluice.grpc;

/**
 * The canonical names of gRPC status codes 0 to 16 ({@code OK} ... {@code UNAUTHENTICATED}), as the access log and
 * the {@code code} label of {@code sluice_grpc_calls_total} show them; {@link #NONE} for a call that ended without
 * a status, {@link #OTHER} for a code outside the canonical range.
 */
public final class GrpcStatusNames {
    public static final String NONE = "NONE";
    public static final String OTHER = "OTHER";

    private static final String[] NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
            "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
            "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

    private GrpcStatusNames() {
    }

    /** @param code a {@code grpc-status} value, or {@link GrpcCallMeter#NO_STATUS} */
    public static String of(int code) {
        if (code < 0) {
            return NONE;
        }
        return code < NAMES.length ? NAMES[code] : OTHER;
    }
}
