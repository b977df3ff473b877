package dev.sluice.cli;

import dev.sluice.policy.PasswordHasher;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Turns a password into the line stored under {@code auth.basic.users}. */
@Command(name = "hash-password",
        mixinStandardHelpOptions = true,
        description = {"Read a password and print its salted PBKDF2-SHA256 hash for auth.basic.users.",
                "On a terminal the password is asked for twice without echo; otherwise the first line of",
                "standard input is the password, e.g.  printf '%%s\\n' \"$PASSWORD\" | sluice hash-password"})
final class HashPasswordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        char[] password = System.console() != null ? fromTerminal(System.console(), err) : fromStdin();
        if (password == null) {
            return 1;
        }
        try {
            if (password.length == 0) {
                err.println("hash-password: the password is empty");
                return 1;
            }
            spec.commandLine().getOut().println(PasswordHasher.hash(password).encode());
            return 0;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] fromTerminal(Console console, PrintWriter err) {
        char[] first = console.readPassword("Password: ");
        char[] second = first == null ? null : console.readPassword("Again: ");
        if (second == null || !Arrays.equals(first, second)) {
            err.println("hash-password: the passwords differ");
            return null;
        }
        Arrays.fill(second, '\0');
        return first;
    }

    /** The first line, without its line ending; an empty stream is an empty password. */
    private static char[] fromStdin() throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = reader.readLine();
        return line == null ? new char[0] : line.toCharArray();
    }
}
