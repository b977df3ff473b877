package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.PasswordHash;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void hashesWithARandomSaltAtTheDefaultCost() {
        PasswordHash first = PasswordHasher.hash("secret".toCharArray());
        PasswordHash second = PasswordHasher.hash("secret".toCharArray());

        assertThat(first.iterations()).isEqualTo(210_000);
        assertThat(first.salt()).hasSize(16);
        assertThat(first.hash()).hasSize(32);
        assertThat(first.salt()).isNotEqualTo(second.salt());
        assertThat(PasswordHash.parse(first.encode())).isEqualTo(first);
    }

    @Test
    void matchesOnlyTheSamePassword() {
        PasswordHash hash = PasswordHasher.hash("secret".toCharArray());

        assertThat(PasswordHasher.matches("secret".toCharArray(), hash)).isTrue();
        assertThat(PasswordHasher.matches("Secret".toCharArray(), hash)).isFalse();
        assertThat(PasswordHasher.matches(new char[0], hash)).isFalse();
    }

    @Test
    void agreesWithAPublishedPbkdf2Sha256Vector() {
        // P="passwordPASSWORDpassword", S="saltSALTsaltSALTsaltSALTsaltSALTsalt", c=4096, dkLen=40, as also
        // computed by Python's hashlib.pbkdf2_hmac: hashes made with other tools verify here too.
        PasswordHash stored = PasswordHash.parse("pbkdf2-sha256$4096$c2FsdFNBTFRzYWx0U0FMVHNhbHRTQUxUc2FsdFNBTFRzYWx0$"
                + "NIyJ28vTKy8y2BS4EW6EzysXNH68GAAYHE4qH7jdU+HGNVGMfaxH6Q");

        assertThat(PasswordHasher.matches("passwordPASSWORDpassword".toCharArray(), stored)).isTrue();
        assertThat(PasswordHasher.matches("password".toCharArray(), stored)).isFalse();
    }

    @Test
    void refusesAnEmptyPassword() {
        assertThatThrownBy(() -> PasswordHasher.hash(new char[0])).hasMessageContaining("empty");
    }
}
