package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar sluice.jar <command>}: the jar's entry point. */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = JarVersion.class,
        description = "A forward proxy: CONNECT splice, plain HTTP forwarding, YAML policy.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, HashPasswordCommand.class, CaCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** {@code sluice} alone is a usage error: say which commands exist. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: use run, check-config, hash-password or ca");
    }
}
