package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sluice ca ...}: Sluice's certificate authority for TLS interception. */
@Command(name = "ca",
        mixinStandardHelpOptions = true,
        description = "Manage the certificate authority Sluice signs intercepted sites' certificates with.",
        subcommands = {CaInitCommand.class})
final class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: use ca init");
    }
}
