package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The configuration shipped in deploy/kubernetes passes the same checks as {@code sluice check-config}. */
class DeployConfigTest {
    /** Surefire runs in the module directory; deploy/ is beside it at the repository root. */
    private static final Path KUBERNETES = Path.of(System.getProperty("basedir", "."), "..", "deploy", "kubernetes");

    @Test
    void theConfigMapHoldsAValidSluiceConfig() throws Exception {
        SluiceConfig config = ConfigLoader.parse(configMapEntry(), "configmap.yaml:sluice.yaml");

        assertThat(config.listen().port()).isEqualTo(3128);
        assertThat(config.admin().port()).isEqualTo(9090);
        assertThat(config.accessLog().path()).isEqualTo("stdout");
    }

    @Test
    void theDeploymentProbesAndScrapesTheAdminPortTheConfigMapNames() throws IOException {
        Map<String, Object> deployment = yaml(KUBERNETES.resolve("deployment.yaml"));
        Map<String, Object> template = map(map(deployment, "spec"), "template");
        Map<String, Object> container = list(map(template, "spec"), "containers").get(0);

        assertThat(list(container, "ports")).extracting(p -> p.get("name") + "=" + p.get("containerPort"))
                .containsExactlyInAnyOrder("proxy=3128", "admin=9090");
        assertThat(map(map(container, "readinessProbe"), "httpGet")).containsEntry("path", "/readyz")
                .containsEntry("port", "admin");
        assertThat(map(map(container, "livenessProbe"), "httpGet")).containsEntry("path", "/healthz")
                .containsEntry("port", "admin");
        assertThat(map(map(template, "metadata"), "annotations")).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9090").containsEntry("prometheus.io/path", "/metrics");
    }

    @Test
    void theDeploymentWaitsOutThePreStopPauseAndTheDrainBeforeKillingThePod() throws Exception {
        SluiceConfig config = ConfigLoader.parse(configMapEntry(), "configmap.yaml:sluice.yaml");
        Map<String, Object> podSpec = map(map(map(yaml(KUBERNETES.resolve("deployment.yaml")), "spec"), "template"),
                "spec");
        Map<String, Object> container = list(podSpec, "containers").get(0);
        @SuppressWarnings("unchecked")
        List<String> preStop = (List<String>) map(map(map(container, "lifecycle"), "preStop"), "exec").get("command");

        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        long pauseSeconds = Long.parseLong(preStop.get(1));
        // Closing what is left after the drain deadline takes up to 5 s more (SluiceServer.close()).
        assertThat(((Number) podSpec.get("terminationGracePeriodSeconds")).longValue())
                .isGreaterThan(pauseSeconds + config.timeouts().drain().toSeconds() + 5);
    }

    private static String configMapEntry() throws IOException {
        Map<String, Object> configMap = yaml(KUBERNETES.resolve("configmap.yaml"));
        Object entry = map(configMap, "data").get("sluice.yaml");
        assertThat(entry).as("data.sluice.yaml in configmap.yaml").isInstanceOf(String.class);
        return (String) entry;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        return (List<Map<String, Object>>) parent.get(key);
    }
}
