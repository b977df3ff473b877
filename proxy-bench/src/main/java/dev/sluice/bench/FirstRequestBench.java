package dev.sluice.bench;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a bump to a host Sluice has not seen yet costs the first request: each request is a new connection (CONNECT,
 * both TLS handshakes, HTTP/2, one small GET), to a new host name (Sluice mints a leaf) or to one host whose leaf it
 * has cached, with a direct request to the origin beside them for scale. The three kinds take turns. A new client
 * TLS context per request keeps the client from resuming a session, so the kinds differ only on Sluice's side.
 */
@Command(name = "first-request", mixinStandardHelpOptions = true,
        description = "Latency of a first HTTPS request through a bumping Sluice to a new host vs a cached one.")
final class FirstRequestBench implements Callable<Integer> {
    static final String CACHED_HOST = BenchPki.host("cached");
    private static final String PATH = "/zeros/100";

    @Mixin
    private BumpOptions sluiceOptions;

    @Option(names = "--requests", defaultValue = "50",
            description = "Measured requests of each kind, so as many new host names (default: ${DEFAULT-VALUE}).")
    private int requests;

    @Option(names = "--warmup", defaultValue = "20",
            description = "Unmeasured rounds first, each with its own new host name (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--timeout", defaultValue = "30",
            description = "Seconds one request may take before the run fails (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    private boolean json;

    /** The host names of one kind: {@code prefix-0.bench.test} and on. */
    static List<String> hosts(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> BenchPki.host(prefix + "-" + i)).toList();
    }

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || warmup < 0 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("need --requests >= 1, --warmup >= 0, --timeout >= 1");
        }
        List<String> warmHosts = hosts("warm", warmup);
        List<String> newHosts = hosts("new", requests);
        List<String> allHosts = Stream.of(List.of(CACHED_HOST), warmHosts, newHosts).flatMap(List::stream).toList();
        BenchPki pki = new BenchPki();
        try (H2Origin origin = new H2Origin(pki);
             BumpingSluice sluice = sluiceOptions.start(pki, allHosts);
             H2Client client = new H2Client(Duration.ofSeconds(timeoutSeconds))) {
            Requests direct = new Requests(client, H2Client.Route.direct(origin.address()), origin.port(),
                    pki.caCertificate());
            Requests bumped = new Requests(client, H2Client.Route.through(sluice.proxyAddress()), origin.port(),
                    sluice.caCertificate());
            for (String host : warmHosts) {
                direct.time(CACHED_HOST);
                bumped.time(CACHED_HOST);
                bumped.time(host);
            }
            List<Long> directNanos = new ArrayList<>();
            List<Long> cachedNanos = new ArrayList<>();
            List<Long> newNanos = new ArrayList<>();
            bumped.time(CACHED_HOST); // without a warm-up this mints the cached host's leaf
            for (String host : newHosts) {
                directNanos.add(direct.time(CACHED_HOST));
                newNanos.add(bumped.time(host));
                cachedNanos.add(bumped.time(CACHED_HOST));
            }
            FirstRequestReport report = new FirstRequestReport(sluiceOptions.describe(), directNanos, cachedNanos,
                    newNanos, LeafMintTimes.in(sluice.scrapeMetrics()));
            System.out.println(json ? report.json() : report.text());
        }
        return 0;
    }

    /** Timed first requests along one route, each with a new client TLS context trusting {@code anchor}. */
    private record Requests(H2Client client, H2Client.Route route, int port, X509Certificate anchor) {
        /** Elapsed nanoseconds from connect to the end of the response; building the TLS context is not timed. */
        long time(String host) throws IOException {
            var tls = BenchTls.client(anchor);
            long start = System.nanoTime();
            client.get(route, host, port, PATH, tls);
            return System.nanoTime() - start;
        }
    }
}
