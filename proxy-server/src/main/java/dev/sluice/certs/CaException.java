package dev.sluice.certs;

/** The CA cannot be loaded or written. The message names the file and what to do, for the operator. */
public final class CaException extends Exception {
    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
