package dev.sluice.upstream;

/** Fails an upstream connect future; carries the classified failure and a detail for logs. */
public final class UpstreamException extends Exception {
    private final UpstreamFailure failure;

    public UpstreamException(UpstreamFailure failure, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.failure = failure;
    }

    public UpstreamFailure failure() {
        return failure;
    }
}
