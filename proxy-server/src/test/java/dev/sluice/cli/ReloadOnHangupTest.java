package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.LoopbackSluice;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} reloads its config file on SIGHUP. The signal goes to a child JVM running the real command line
 * (a SIGHUP handler is process-wide: raised in the test JVM it would reach every test running there).
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(60)
class ReloadOnHangupTest {
    private static final Pattern LISTENING =
            Pattern.compile("Sluice listening on /?([0-9.]+):(\\d+) \\(proxy\\)");

    @TempDir
    Path dir;
    private Process sluice;
    private final BlockingQueue<String> output = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (sluice != null) {
            sluice.destroy(); // SIGTERM: the drain
            if (!sluice.waitFor(20, TimeUnit.SECONDS)) {
                sluice.destroyForcibly();
            }
        }
    }

    @Test
    void sighupReloadsTheFileAndABrokenFileIsRefused() throws Exception {
        try (SocketOrigin origin = new SocketOrigin(SocketOrigin::echo)) {
            Path config = dir.resolve("sluice.yaml");
            Files.writeString(config, yaml("default: deny\n"));
            InetSocketAddress proxy = start(config);
            assertThat(connectStatus(proxy, origin)).isEqualTo(403);

            Files.writeString(config, yaml("default: splice\n"));
            hangUp();
            awaitLine("config reloaded (SIGHUP)");
            assertThat(connectStatus(proxy, origin)).isEqualTo(200);

            Files.writeString(config, yaml("default: maybe\n"));
            hangUp();
            awaitLine("config reload (SIGHUP) failed");
            assertThat(awaitLine("default: expected one of")).contains(config + ":");
            assertThat(connectStatus(proxy, origin)).as("the config in force is kept").isEqualTo(200);
        }
    }

    /** The loopback test config with the file poller off, so that only the signal reloads. */
    private static String yaml(String policy) {
        return LoopbackSluice.YAML + "reload: {watch: false}\ntimeouts: {drain: 1s}\n" + policy;
    }

    /** Starts {@code sluice run} on the test classpath, logging INFO to its stdout; returns the proxy address. */
    private InetSocketAddress start(Path config) throws Exception {
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        sluice = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=" + logback, Main.class.getName(), "run", "--config", config.toString())
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(sluice.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                }
            } catch (IOException ended) {
                // the child exited
            }
        }, "sluice-child-output");
        reader.setDaemon(true);
        reader.start();
        Matcher listening = LISTENING.matcher(awaitLine("Sluice listening on"));
        assertThat(listening.find()).isTrue();
        return new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2)));
    }

    private void hangUp() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(sluice.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** The next line of the child's output containing {@code text}; fails after the patience. */
    private String awaitLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String line = output.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.append(line).append('\n');
                if (line.contains(text)) {
                    return line;
                }
            } else if (!sluice.isAlive() && output.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("sluice never printed '" + text + "'; it printed:\n" + seen);
    }

    private static int connectStatus(InetSocketAddress proxy, SocketOrigin origin) throws IOException {
        try (RawProxyConnection connection = RawProxyConnection.open(proxy)) {
            return connection.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .readResponse().status();
        }
    }
}
