package dev.sluice.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar sluice-bench.jar splice [--bytes 1g] [--runs 3] [--json]}, {@code ... idle --sluice-jar FILE [--tunnels 8000]}. */
@Command(name = "sluice-bench", mixinStandardHelpOptions = true,
        description = "Measures Sluice on loopback (throughput against a direct connection, memory per idle tunnel).",
        subcommands = {SpliceBench.class, IdleBench.class})
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
