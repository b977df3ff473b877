package dev.sluice.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar sluice-bench.jar splice [--bytes 1g] [--runs 3] [--json]}, {@code ... idle --sluice-jar FILE
 * [--tunnels 8000]}, and the bump benchmarks {@code h2-bulk}, {@code grpc-unary}, {@code grpc-view},
 * {@code first-request} ({@code --sluice-jar FILE}), {@code soak --sluice-jar FILE} and
 * {@code slow-reader --sluice-jar FILE [--size 1g] [--rate 1m]}.
 */
@Command(name = "sluice-bench", mixinStandardHelpOptions = true,
        description = "Measures Sluice on loopback (throughput and latency against a direct connection, "
                + "memory per idle tunnel).",
        subcommands = {SpliceBench.class, IdleBench.class, H2BulkBench.class, GrpcUnaryBench.class,
                GrpcViewBench.class, FirstRequestBench.class, SoakBench.class, SlowReaderBench.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark, e.g. splice");
    }
}
