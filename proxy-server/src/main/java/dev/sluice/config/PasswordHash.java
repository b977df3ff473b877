package dev.sluice.config;

import java.util.Arrays;
import java.util.Base64;

/**
 * A stored password: {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}.
 * Parsing validates the format only; verification lives in {@code policy.ProxyAuthenticator}.
 * The arrays are copied in and out, so an instance stays immutable.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    public static final String SCHEME = "pbkdf2-sha256";
    /** Bounds that keep a typo from making every login free or from costing minutes of CPU. */
    static final int MIN_ITERATIONS = 1_000;
    static final int MAX_ITERATIONS = 10_000_000;
    static final int MIN_SALT_BYTES = 8;
    static final int MIN_HASH_BYTES = 16;

    public PasswordHash {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException(
                    "iterations must be " + MIN_ITERATIONS + "-" + MAX_ITERATIONS + ", got " + iterations);
        }
        if (salt.length < MIN_SALT_BYTES) {
            throw new IllegalArgumentException("salt must be at least " + MIN_SALT_BYTES + " bytes");
        }
        if (hash.length < MIN_HASH_BYTES) {
            throw new IllegalArgumentException("hash must be at least " + MIN_HASH_BYTES + " bytes");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Throws IllegalArgumentException naming what is wrong with the text. */
    public static PasswordHash parse(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(
                    "expected " + SCHEME + "$<iterations>$<salt>$<hash> (run 'sluice hash-password')");
        }
        if (!parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("unknown hash scheme '" + parts[0] + "', expected " + SCHEME);
        }
        if (parts[1].isEmpty() || parts[1].length() > 9 || !parts[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("iterations must be a number, got '" + parts[1] + "'");
        }
        return new PasswordHash(Integer.parseInt(parts[1]), base64(parts[2], "salt"), base64(parts[3], "hash"));
    }

    /** The canonical text form, as stored in YAML. */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash other && iterations == other.iterations
                && Arrays.equals(salt, other.salt) && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * iterations + Arrays.hashCode(salt)) + Arrays.hashCode(hash);
    }

    /** Never prints the hash itself: it ends up in logs otherwise. */
    @Override
    public String toString() {
        return SCHEME + "$" + iterations + "$...";
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64", e);
        }
    }
}
