package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The soak runs small against the real sluice.jar and passes; skipped when the jar is not built. */
class SoakBenchTest {
    /** Built by proxy-server's package phase, which the reactor runs before this module's tests. */
    private static final Path SLUICE_JAR = Path.of("..", "proxy-server", "target", "sluice.jar");

    private static int soak(String... args) {
        assumeThat(Files.exists(SLUICE_JAR)).as("sluice.jar built").isTrue();
        String[] all = new String[args.length + 5];
        all[0] = "soak";
        System.arraycopy(args, 0, all, 1, args.length);
        System.arraycopy(new String[] {"--sluice-jar", SLUICE_JAR.toString(), "--sluice-jvm-option", "-Xmx256m"}, 0,
                all, args.length + 1, 4);
        return new CommandLine(new BenchMain()).execute(all);
    }

    @Test
    void aSmallSoakPassesEveryCheck() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = soak("--tunnels", "50", "--grpc-streams", "10", "--new-connections-per-second", "5",
                    "--duration", "3", "--warmup", "0", "--settle", "0", "--tunnel-echo-every", "1");
        } finally {
            System.setOut(out);
        }
        String report = printed.toString(StandardCharsets.UTF_8);
        System.out.print(report);

        assertThat(exit).as(report).isZero();
        assertThat(report).contains("PASS  connections accepted", "PASS  open files back to baseline", "soak PASSED")
                .doesNotContain("FAIL");
    }

    @Test
    void aSoakBeyondTheOpenFilesLimitStopsBeforeAnyLoad() {
        assertThat(soak("--tunnels", "1000000", "--duration", "1")).isEqualTo(2);
    }
}
