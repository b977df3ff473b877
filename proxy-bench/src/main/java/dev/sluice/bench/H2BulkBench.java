package dev.sluice.bench;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A bulk HTTP/2 download through a bumping Sluice against the same download straight from the origin: the same
 * Netty h2 client and origin ({@link H2Client}, {@link H2Origin}), one new TLS connection and one stream per run,
 * runs alternating. Through Sluice the body is decrypted and encrypted again, and bridged stream to stream.
 */
@Command(name = "h2-bulk", mixinStandardHelpOptions = true,
        description = "Download N bytes over HTTP/2 directly and through a bumping Sluice; print MiB/s and the ratio.")
final class H2BulkBench implements Callable<Integer> {
    /** Issue 3's target for the median bumped/direct ratio. */
    static final double TARGET_RATIO = 0.6;
    static final String HOST = BenchPki.host("bulk");

    @Mixin
    private BumpOptions sluiceOptions;

    @Mixin
    private DownloadOptions download;

    @Override
    public Integer call() throws Exception {
        AlternatingRuns alternating = download.alternatingRuns();
        BenchPki pki = new BenchPki();
        try (H2Origin origin = new H2Origin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, List.of(HOST));
             H2Client client = new H2Client(download.timeout())) {
            SslContext directTls = BenchTls.client(pki.caCertificate());
            SslContext bumpedTls = BenchTls.client(sluice.caCertificate());
            String path = "/zeros/" + download.bytes;
            download.print(alternating.measure("h2-bulk", download.bytes,
                    () -> timedDownload(client, H2Client.Route.direct(origin.address()), origin.port(), path, directTls),
                    () -> timedDownload(client, H2Client.Route.through(sluice.proxyAddress()), origin.port(), path, bumpedTls),
                    sluiceOptions.describe(), TARGET_RATIO));
        }
        return 0;
    }

    /** Elapsed nanoseconds from connect to the last body byte. */
    private long timedDownload(H2Client client, H2Client.Route route, int port, String path, SslContext tls)
            throws IOException {
        long start = System.nanoTime();
        long received = client.get(route, HOST, port, path, tls);
        long elapsed = System.nanoTime() - start;
        if (received != download.bytes) {
            throw new IOException("received " + received + " bytes, expected " + download.bytes);
        }
        return elapsed;
    }
}
