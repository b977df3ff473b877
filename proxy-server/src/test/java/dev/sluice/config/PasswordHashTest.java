package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordHashTest {
    static final String VALID = "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA$"
            + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    @Test
    void parsesAndEncodesTheStoredForm() {
        PasswordHash hash = PasswordHash.parse(VALID);

        assertThat(hash.iterations()).isEqualTo(210_000);
        assertThat(hash.salt()).asString().isEqualTo("saltsaltsaltsalt");
        assertThat(hash.hash()).hasSize(32).startsWith(0, 1, 2);
        assertThat(hash.encode()).isEqualTo(VALID);
        assertThat(PasswordHash.parse(hash.encode())).isEqualTo(hash);
    }

    @Test
    void acceptsPaddedBase64() {
        assertThat(PasswordHash.parse("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$"
                + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").iterations()).isEqualTo(1000);
    }

    @Test
    void neverPrintsTheHash() {
        assertThat(PasswordHash.parse(VALID).toString()).isEqualTo("pbkdf2-sha256$210000$...");
    }

    @Test
    void isImmutable() {
        PasswordHash hash = PasswordHash.parse(VALID);
        hash.salt()[0] = 0;
        hash.hash()[0] = 9;

        assertThat(hash.encode()).isEqualTo(VALID);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "secret                                                         | expected pbkdf2-sha256$",
            "bcrypt$10$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0ODxAREhM  | unknown hash scheme 'bcrypt'",
            "pbkdf2-sha256$many$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0O | iterations must be a number",
            "pbkdf2-sha256$10$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0ODw | iterations must be 1000-10000000",
            "pbkdf2-sha256$1000$!!!$AAECAwQFBgcICQoLDA0ODw                   | salt is not valid base64",
            "pbkdf2-sha256$1000$c2FsdA$AAECAwQFBgcICQoLDA0ODw                | salt must be at least 8 bytes",
            "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$AAEC                  | hash must be at least 16 bytes",
            "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0ODw$x | expected pbkdf2-sha256$",
    })
    void refusesMalformedText(String text, String message) {
        assertThatThrownBy(() -> PasswordHash.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
