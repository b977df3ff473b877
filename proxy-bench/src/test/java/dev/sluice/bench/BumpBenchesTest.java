package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Each bump benchmark runs to the end with tiny sizes against the real sluice.jar. Skipped when the jar is not built,
 * or when it does not bump yet (it splices instead: a client then sees the origin's own certificate).
 */
class BumpBenchesTest {
    /** Built by proxy-server's package phase, which the reactor runs before this module's tests. */
    private static final Path SLUICE_JAR = Path.of("..", "proxy-server", "target", "sluice.jar");
    private static final String[] SLUICE = {"--sluice-jar", SLUICE_JAR.toString(), "--sluice-jvm-option", "-Xmx256m"};

    private static boolean bumps;

    @BeforeAll
    static void probe() throws Exception {
        if (!Files.exists(SLUICE_JAR)) return;
        BenchPki pki = new BenchPki();
        try (H2Origin origin = new H2Origin(pki);
             BumpingSluice sluice = BumpingSluice.start(SLUICE_JAR, List.of("-Xmx256m"),
                     new BumpConfig(List.of(H2BulkBench.HOST), "auto"), pki);
             H2Client client = new H2Client(Duration.ofSeconds(60))) {
            bumps = !originCertificateSeenThrough(sluice, client, origin, pki);
        }
    }

    private static boolean originCertificateSeenThrough(BumpingSluice sluice, H2Client client, H2Origin origin,
                                                        BenchPki pki) {
        try {
            client.get(H2Client.Route.through(sluice.proxyAddress()), H2BulkBench.HOST, origin.port(), "/zeros/1",
                    BenchTls.client(pki.caCertificate()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int run(String... args) {
        assumeThat(Files.exists(SLUICE_JAR)).as("sluice.jar built").isTrue();
        assumeThat(bumps).as("sluice.jar bumps").isTrue();
        String[] all = new String[args.length + SLUICE.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(SLUICE, 0, all, args.length, SLUICE.length);
        return new CommandLine(new BenchMain()).execute(all);
    }

    @Test
    void h2BulkDownloadsThroughTheBump() {
        assertThat(run("h2-bulk", "--bytes", "8m", "--runs", "1", "--warmup", "0")).isZero();
    }

    @Test
    void grpcUnaryCallsGoThroughTheBump() {
        assertThat(run("grpc-unary", "--in-flight", "8", "--duration", "1", "--warmup", "0", "--runs", "1")).isZero();
    }

    @Test
    void grpcViewComparesTwoBumpsWithTheViewOffAndOn() {
        assertThat(run("grpc-view", "--in-flight", "8", "--duration", "1", "--warmup", "0", "--runs", "2",
                "--settle", "1")).isZero();
    }

    @Test
    void firstRequestsReachNewAndCachedHostsThroughTheBump() {
        assertThat(run("first-request", "--requests", "3", "--warmup", "1", "--json")).isZero();
    }
}
