package dev.sluice.cli;

import dev.sluice.config.ConfigError;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.policy.ShadowedRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Validates a config file without starting anything: exit 0 and a summary (and warnings about dead rules), or exit 1
 * and every error.
 */
@Command(name = "check-config",
        mixinStandardHelpOptions = true,
        description = {"Validate a config file and print the effective configuration, rules in order.",
                "On errors, print each as FILE:LINE: KEY: MESSAGE on stderr and exit 1.",
                "Rules that can never match (an earlier rule matches everything they do) are warned about on stderr",
                "as FILE:LINE: warning: ...; they leave the exit code 0."})
final class CheckConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The YAML config file.")
    Path file;

    @Override
    public Integer call() {
        try {
            SluiceConfig config = ConfigLoader.load(file);
            PrintWriter out = spec.commandLine().getOut();
            out.print(ConfigSummary.render(config));
            out.flush();
            // Warnings leave the exit code alone: a dead rule is a mistake to fix, not a config that cannot run.
            PrintWriter err = spec.commandLine().getErr();
            ShadowedRules.in(config.rules()).forEach(shadowed -> err.println(shadowed.warning(config.source())));
            err.flush();
            return 0;
        } catch (ConfigException e) {
            printErrors(e, spec.commandLine().getErr());
            return 1;
        }
    }

    /** One line per error, {@code file:line: key: message}, so editors and CI annotate the right line. */
    static void printErrors(ConfigException e, PrintWriter err) {
        for (ConfigError error : e.errors()) {
            err.println(error);
        }
        err.flush();
    }
}
