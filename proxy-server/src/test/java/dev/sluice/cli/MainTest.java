package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.PasswordHash;
import dev.sluice.policy.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int sluice(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void versionNamesSluice() {
        assertThat(sluice("--version")).isZero();
        assertThat(out.toString()).startsWith("sluice ");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(sluice("--help")).isZero();
        assertThat(out.toString()).contains("run", "check-config", "hash-password");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(sluice()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command").contains("Usage: sluice");
    }

    @Nested
    class CheckConfig {
        @Test
        void aValidFileExitsZeroWithTheEffectiveConfig(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("ok.yaml"), """
                    rules:
                      - name: ads
                        match: {host: "*.ads.example"}
                        action: deny
                      - name: build
                        match: {clients: [10.20.0.0/16], port: 443}
                        action: splice
                    default: deny
                    """);

            assertThat(sluice("check-config", file.toString())).isZero();

            assertThat(out.toString())
                    .contains(file + ": OK")
                    .contains("listen:    0.0.0.0:3128")
                    .contains("admin:     127.0.0.1:9090")
                    .contains("connectPorts:      443")
                    .contains("[0] ads (line 2): host *.ads.example -> deny")
                    .contains("[1] build (line 5): port 443; clients 10.20.0.0/16 -> splice")
                    .contains("default -> deny")
                    .contains("timeouts:  connect 10s, requestHeader 30s, idleTunnel 15m, idleClient 2m, idleUpstream 1m");
            assertThat(out.toString().indexOf("[0] ads")).isLessThan(out.toString().indexOf("[1] build"));
            assertThat(err.toString()).isEmpty();
        }

        @Test
        void anInvalidFileExitsOneWithEveryErrorOnStderr(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("bad.yaml"), """
                    listen: 3128
                    rules:
                      - name: a
                        action: allow
                    """);

            assertThat(sluice("check-config", file.toString())).isEqualTo(1);

            assertThat(err.toString().lines()).containsExactly(
                    file + ":1: listen: expected host:port, got '3128'",
                    file + ":4: rules[0].action: expected one of: splice, deny; got 'allow'");
            assertThat(out.toString()).isEmpty();
        }

        @Test
        void aMissingFileExitsOne(@TempDir Path dir) {
            assertThat(sluice("check-config", dir.resolve("nope.yaml").toString())).isEqualTo(1);
            assertThat(err.toString()).contains("nope.yaml:0: (file): no such file");
        }

        @Test
        void theShippedDefaultIsValid() {
            assertThat(sluice("check-config", "../config/sluice.yaml")).isZero();
            assertThat(out.toString()).contains("[0] cloud-metadata").contains("default -> splice");
        }
    }

    @Nested
    class HashPassword {
        private final InputStream originalStdin = System.in;

        @AfterEach
        void restoreStdin() {
            System.setIn(originalStdin);
        }

        @Test
        void printsAHashThatVerifiesThePasswordFromStdin() {
            stdin("correct horse battery staple\n");

            assertThat(sluice("hash-password")).as(err.toString()).isZero();

            PasswordHash hash = PasswordHash.parse(out.toString().strip());
            assertThat(PasswordHasher.matches("correct horse battery staple".toCharArray(), hash)).isTrue();
            assertThat(PasswordHasher.matches("correct horse battery staple\n".toCharArray(), hash)).isFalse();
        }

        @Test
        void anEmptyPasswordIsRefused() {
            stdin("");

            assertThat(sluice("hash-password")).isEqualTo(1);
            assertThat(err.toString()).contains("the password is empty");
            assertThat(out.toString()).isEmpty();
        }

        private void stdin(String input) {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Nested
    class Run {
        @Test
        void aBadConfigExitsOneBeforeStartingAnything(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("bad.yaml"), "default: maybe\n");

            assertThat(sluice("run", "--config", file.toString())).isEqualTo(1);
            assertThat(err.toString()).contains(file + ":1: default: expected one of: splice, deny");
        }

        @Test
        void aBadListenOverrideIsAUsageError() {
            assertThat(sluice("run", "--listen", "nowhere")).isEqualTo(2);
            assertThat(err.toString()).contains("--listen").contains("expected host:port");
        }
    }
}
