package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any file gives a config or a {@link ConfigException} whose every problem names the file, a line in it and a key;
 * never another exception, never a hang (aliases and nesting are bounded). Seeds: the shipped configs and examples,
 * and hostile YAML (alias bombs, deep nesting, duplicate keys, wrong types everywhere).
 */
class ConfigLoaderFuzzTest {
    private static final String SOURCE = "fuzz.yaml";

    @FuzzTest
    void anyYamlGivesAConfigOrLocatedErrors(byte[] file) {
        String yaml = new String(file, StandardCharsets.UTF_8);
        SluiceConfig config;
        try {
            config = ConfigLoader.parse(yaml, SOURCE);
        } catch (ConfigException e) {
            long lines = yaml.lines().count();
            assertThat(e.errors()).isNotEmpty().allSatisfy(error -> {
                assertThat(error.file()).isEqualTo(SOURCE);
                assertThat(error.line()).as("line of %s", error).isBetween(1, (int) Math.max(1, lines + 1));
                assertThat(error.key()).as("key of %s", error).isNotNull();
                assertThat(error.message()).as("message of %s", error).isNotBlank();
            });
            return;
        }
        assertThat(config).isNotNull();
        assertThat(config.source()).isEqualTo(SOURCE);
    }
}
