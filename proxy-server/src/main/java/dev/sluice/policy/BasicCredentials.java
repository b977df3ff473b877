package dev.sluice.policy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The user and password of a {@code Proxy-Authorization: Basic <base64(user:password)>} value (RFC 7617, UTF-8). */
record BasicCredentials(String user, char[] password) {
    /** Null when the value is missing, not Basic, not base64, not UTF-8, or has no user. */
    static BasicCredentials parse(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        String value = headerValue.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Basic")) {
            return null;
        }
        String text;
        try {
            byte[] decoded = Base64.getDecoder().decode(value.substring(space + 1).strip());
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(decoded)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new BasicCredentials(text.substring(0, colon), text.substring(colon + 1).toCharArray());
    }
}
