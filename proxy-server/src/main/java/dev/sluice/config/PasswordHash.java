package dev.sluice.config;

/**
 * A stored password: {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}.
 * Parsing validates the format only; verification lives in {@code policy.ProxyAuthenticator}.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    public static final String SCHEME = "pbkdf2-sha256";

    /** Throws IllegalArgumentException naming what is wrong with the text. */
    public static PasswordHash parse(String text) {
        throw new UnsupportedOperationException("implemented in config branch");
    }

    /** The canonical text form, as stored in YAML. */
    public String encode() {
        throw new UnsupportedOperationException("implemented in config branch");
    }
}
