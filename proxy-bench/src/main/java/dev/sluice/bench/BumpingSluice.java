package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A Sluice that bumps, run as its own JVM ({@link ForkedSluice}) with a {@link BumpConfig}: it trusts the bench's
 * origin CA upstream and creates its own CA on start, which the bench's clients then trust.
 */
final class BumpingSluice implements AutoCloseable {
    private final ForkedSluice sluice;
    private final X509Certificate ca;

    private BumpingSluice(ForkedSluice sluice, X509Certificate ca) {
        this.sluice = sluice;
        this.ca = ca;
    }

    static BumpingSluice start(Path jar, List<String> jvmOptions, BumpConfig config, BenchPki pki)
            throws IOException, InterruptedException {
        ForkedSluice sluice = ForkedSluice.start(jar, directory -> {
            Path originCa = Files.writeString(directory.resolve("origin-ca.pem"), pki.caPem());
            return config.yaml(caCertFile(directory), directory.resolve("ca.key"), originCa);
        }, jvmOptions);
        try {
            return new BumpingSluice(sluice, readCertificate(caCertFile(sluice.directory())));
        } catch (IOException | RuntimeException e) {
            sluice.close();
            throw e;
        }
    }

    InetSocketAddress proxyAddress() {
        return sluice.proxyAddress();
    }

    /** The CA Sluice made at start: what its minted leaves chain to. */
    X509Certificate caCertificate() {
        return ca;
    }

    /** The Sluice process, to read its figures from {@code /proc} and to ask it for a collection. */
    ForkedSluice process() {
        return sluice;
    }

    /** Where Sluice writes its access log when its {@link BumpConfig} turned it on. */
    Path accessLog() {
        return caCertFile(sluice.directory()).resolveSibling(BumpConfig.ACCESS_LOG_FILE);
    }

    /** CPU time the Sluice process has used so far. */
    Duration cpuTime() throws IOException {
        return sluice.cpuTime();
    }

    /** The admin listener's {@code /metrics} text. */
    String scrapeMetrics() throws IOException, InterruptedException {
        return sluice.scrapeMetrics();
    }

    @Override
    public void close() throws IOException {
        sluice.close();
    }

    private static Path caCertFile(Path directory) {
        return directory.resolve("ca.crt");
    }

    private static X509Certificate readCertificate(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("Sluice's CA certificate " + pem + " is unreadable: " + e.getMessage(), e);
        }
    }
}
