package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractListAssert;
import org.assertj.core.api.ObjectAssert;
import org.assertj.core.groups.Tuple;

/**
 * Asserts that a config is refused, every error's message containing a text; the returned assertion is on each
 * error's (file, line, key), so a test states where every mistake is reported. YAML text is named {@code t.yaml}.
 */
final class ConfigErrors {
    private ConfigErrors() {
    }

    static AbstractListAssert<?, List<? extends Tuple>, Tuple, ObjectAssert<Tuple>> assertErrors(String yaml,
                                                                                                String messagePart) {
        return assertErrors(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "t.yaml")),
                messagePart);
    }

    static AbstractListAssert<?, List<? extends Tuple>, Tuple, ObjectAssert<Tuple>> assertErrors(Path file,
                                                                                                String messagePart) {
        return assertErrors(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file)), messagePart);
    }

    private static AbstractListAssert<?, List<? extends Tuple>, Tuple, ObjectAssert<Tuple>> assertErrors(
            ConfigException e, String messagePart) {
        assertThat(e).as("a ConfigException").isNotNull();
        List<ConfigError> errors = e.errors();
        assertThat(errors).allSatisfy(error -> assertThat(error.message()).contains(messagePart));
        return assertThat(errors).extracting(ConfigError::file, ConfigError::line, ConfigError::key);
    }
}
