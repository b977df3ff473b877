package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every YAML file shipped under config/ at the repository root loads without an error. */
class ShippedConfigTest {
    /** Surefire runs in proxy-server/, one level below the repository root. */
    private static final Path CONFIG_DIR = Path.of("..", "config");

    static List<Path> shippedFiles() throws IOException {
        try (Stream<Path> files = Files.walk(CONFIG_DIR)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedFiles")
    void isValid(Path file) throws ConfigException {
        assertThat(ConfigLoader.load(file)).isNotNull();
    }

    @Test
    void theDefaultAndTheExamplesAreThere() throws IOException {
        assertThat(shippedFiles()).map(f -> CONFIG_DIR.relativize(f).toString().replace('\\', '/'))
                .contains("sluice.yaml", "examples/splice-only-denylist.yaml", "examples/auth.yaml",
                        "examples/split-horizon.yaml", "examples/bump.yaml");
    }

    @Test
    void theDefaultListensOnTheDocumentedPortsAndSplices() throws ConfigException {
        SluiceConfig config = ConfigLoader.load(CONFIG_DIR.resolve("sluice.yaml"));

        assertThat(config.listen()).isEqualTo(new HostPort("0.0.0.0", 3128));
        assertThat(config.admin()).isEqualTo(new HostPort("0.0.0.0", 9090));
        assertThat(config.defaultAction()).isEqualTo(Action.SPLICE);
        assertThat(config.access()).isEqualTo(AccessConfig.DEFAULTS);
    }
}
