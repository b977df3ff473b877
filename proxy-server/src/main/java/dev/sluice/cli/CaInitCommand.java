package dev.sluice.cli;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a new CA: ca.crt for clients to trust, ca.key (mode 600) for Sluice alone. */
@Command(name = "init",
        mixinStandardHelpOptions = true,
        description = {"Create a new CA (EC P-256, valid 10 years): DIR/ca.crt and DIR/ca.key (mode 600).",
                "Prints both paths and the certificate's SHA-256 fingerprint. An existing CA is never",
                "replaced without --force; exit 1 then."})
final class CaInitCommand implements Callable<Integer> {
    static final String CERT_FILE = "ca.crt";
    static final String KEY_FILE = "ca.key";

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "certs",
            description = "Where to write ca.crt and ca.key (default: ${DEFAULT-VALUE}); created mode 700 if missing.")
    Path dir;

    @Option(names = "--force",
            description = "Replace an existing CA. Every client that trusted the old one must trust the new one.")
    boolean force;

    @Override
    public Integer call() {
        Path cert = dir.resolve(CERT_FILE);
        Path key = dir.resolve(KEY_FILE);
        CertificateAuthority ca;
        try {
            ca = CertificateAuthority.generate(cert, key, force);
        } catch (CaException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("ca init: " + e.getMessage());
            err.flush();
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("CA certificate:      " + cert + "  (give this to clients to trust)");
        out.println("CA key:              " + key + "  (mode 600; keep it secret)");
        out.println("SHA-256 fingerprint: " + ca.sha256Fingerprint());
        out.flush();
        return 0;
    }
}
