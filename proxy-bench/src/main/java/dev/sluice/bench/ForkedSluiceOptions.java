package dev.sluice.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Command-line options of the benchmarks that run Sluice as its own JVM. */
final class ForkedSluiceOptions {
    @Option(names = "--sluice-jar", paramLabel = "FILE", required = true,
            description = "The Sluice jar to run as a separate JVM, e.g. proxy-server/target/sluice.jar.")
    Path jar;

    @Option(names = "--sluice-jvm-option", paramLabel = "OPTION",
            description = "A JVM option for the Sluice process (repeatable), e.g. -Xmx256m. Default: none.")
    List<String> jvmOptions = new ArrayList<>();
}
