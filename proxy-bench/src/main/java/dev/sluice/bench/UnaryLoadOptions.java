package dev.sluice.bench;

import io.grpc.ManagedChannel;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Command-line options of the unary gRPC benchmarks: the load on each channel and its measured windows. */
final class UnaryLoadOptions {
    @Option(names = "--in-flight", defaultValue = "64",
            description = "Calls outstanding at all times on the one channel (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--message-bytes", defaultValue = "64",
            description = "Bytes of each request, echoed back (default: ${DEFAULT-VALUE}).")
    int messageBytes;

    @Option(names = "--duration", defaultValue = "10",
            description = "Seconds each measured window lasts (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "3",
            description = "Seconds of unmeasured calls before each window (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--runs", defaultValue = "3", description = "Measured windows of each kind (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds one call may take before the run fails (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** @throws IllegalArgumentException before anything starts, when a value makes no sense */
    void validate() {
        if (durationSeconds < 1 || warmupSeconds < 0 || runs < 1 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("need --duration >= 1, --warmup >= 0, --runs >= 1, --timeout >= 1");
        }
    }

    UnaryLoad load(ManagedChannel channel) {
        return new UnaryLoad(channel, messageBytes, inFlight, Duration.ofSeconds(timeoutSeconds));
    }

    Duration warmup() {
        return Duration.ofSeconds(warmupSeconds);
    }

    Duration window() {
        return Duration.ofSeconds(durationSeconds);
    }
}
