package dev.sluice.testing;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;

/**
 * A real Sluice on an ephemeral loopback port, started from YAML the way an operator would write it, plus
 * clients configured to use it and ways to read what it observed (admin {@code /metrics}, the access log).
 *
 * <p>Every fixture allows clients from 127.0.0.0/8, lets the destination guard reach 127.0.0.0/8, maps
 * {@link TestPki#ORIGIN_HOST} to 127.0.0.1 and writes its access log to a temporary file; tests add rules,
 * auth and limits as YAML.
 */
public final class SluiceFixture implements AutoCloseable {
    /** Generous: the machine is shared and slow at times; nothing here measures speed. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String ORIGIN_CA_FILE = "origin-ca.pem";

    private final SluiceServer server;
    private final Metrics metrics;
    private final AccessLog accessLog;
    private final Path tempDir;
    private final Path accessLogFile;
    private final String yaml;
    private final CertificateAuthority ca;
    private final HandshakeCertificates clientCertificates;
    private final List<OkHttpClient> okHttpClients = new CopyOnWriteArrayList<>();

    private SluiceFixture(SluiceServer server, Metrics metrics, AccessLog accessLog, Path tempDir, Path accessLogFile,
                          String yaml, CertificateAuthority ca) {
        this.server = server;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.tempDir = tempDir;
        this.accessLogFile = accessLogFile;
        this.yaml = yaml;
        this.ca = ca;
        HandshakeCertificates.Builder trust = new HandshakeCertificates.Builder()
                .addTrustedCertificate(TestPki.get().caCertificate());
        if (ca != null) {
            trust.addTrustedCertificate(ca.certificate());
        }
        this.clientCertificates = trust.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A Sluice with the fixture's defaults and no rules: everything allowed splices. */
    public static SluiceFixture start() {
        return builder().start();
    }

    public static final class Builder {
        private final Map<String, String> hosts = new LinkedHashMap<>(Map.of(TestPki.ORIGIN_HOST, "127.0.0.1"));
        private final List<String> connectPorts = new ArrayList<>(List.of("1-65535"));
        private final StringBuilder extraYaml = new StringBuilder();
        private List<String> tlsLines;

        private Builder() {
        }

        /** Adds a {@code hosts:} override. */
        public Builder host(String name, String address) {
            hosts.put(name, address);
            return this;
        }

        /** Replaces the default {@code access.connectPorts} (all ports) with these. */
        public Builder connectPorts(String... ports) {
            connectPorts.clear();
            connectPorts.addAll(List.of(ports));
            return this;
        }

        /** Top-level YAML appended to the fixture's own ({@code rules:}, {@code auth:}, {@code limits:}, ...). */
        public Builder yaml(String topLevelYaml) {
            extraYaml.append(topLevelYaml.stripIndent()).append('\n');
            return this;
        }

        /**
         * Turns on the {@code tls:} block so rules may {@code bump}: a fresh Sluice CA in the fixture's temporary
         * directory, and upstream trust in the test PKI's CA only ({@code upstreamTrust: [that PEM]}), so origins
         * presenting {@link TestPki} certificates verify and nothing else does. {@code extraLines} go under
         * {@code tls:} as written, e.g. {@code "provider: jdk"}.
         */
        public Builder tls(String... extraLines) {
            tlsLines = List.of(extraLines);
            return this;
        }

        public SluiceFixture start() {
            Path tempDir = null;
            try {
                tempDir = Files.createTempDirectory("sluice-e2e");
                Path accessLogFile = tempDir.resolve("access.log");
                CertificateAuthority ca = tlsLines == null ? null : writeTlsFiles(tempDir);
                String text = yaml(accessLogFile, tempDir);
                SluiceConfig config = ConfigLoader.parse(text, "e2e-fixture.yaml");
                Metrics metrics = Metrics.create(config.grpc());
                AccessLog accessLog = AccessLog.create(config.accessLog(), metrics);
                try {
                    SluiceServer server = SluiceServer.start(config, metrics, accessLog, ca);
                    return new SluiceFixture(server, metrics, accessLog, tempDir, accessLogFile, text, ca);
                } catch (RuntimeException | InterruptedException e) {
                    accessLog.close();
                    metrics.close();
                    throw e;
                }
            } catch (ConfigException e) {
                deleteQuietly(tempDir);
                throw new IllegalArgumentException("fixture YAML rejected:\n" + e.getMessage(), e);
            } catch (CaException e) {
                deleteQuietly(tempDir);
                throw new IllegalStateException("cannot make the fixture's CA", e);
            } catch (IOException e) {
                deleteQuietly(tempDir);
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deleteQuietly(tempDir);
                throw new IllegalStateException("interrupted while starting Sluice", e);
            }
        }

        private static CertificateAuthority writeTlsFiles(Path dir) throws CaException, IOException {
            Files.writeString(dir.resolve(ORIGIN_CA_FILE), Certificates.certificatePem(TestPki.get().caCertificate()));
            return CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        }

        private String yaml(Path accessLogFile, Path dir) {
            StringBuilder text = new StringBuilder()
                    .append("listen: 127.0.0.1:0\n")
                    .append("admin: 127.0.0.1:0\n")
                    .append("hosts:\n");
            hosts.forEach((name, address) -> text.append("  ").append(name).append(": ").append(address).append('\n'));
            text.append("access:\n")
                    .append("  clients: [127.0.0.0/8]\n")
                    .append("  connectPorts: [").append(String.join(", ", connectPorts)).append("]\n")
                    .append("  allowDestinations: [127.0.0.0/8]\n")
                    .append("accessLog:\n")
                    .append("  path: ").append(quoted(accessLogFile)).append('\n')
                    .append(LoopbackSluice.shortDrainUnlessTimed(extraYaml.toString()));
            if (tlsLines != null) {
                text.append("tls:\n")
                        .append("  ca: {cert: ").append(quoted(dir.resolve("ca.crt")))
                        .append(", key: ").append(quoted(dir.resolve("ca.key"))).append("}\n")
                        .append("  upstreamTrust: [").append(quoted(dir.resolve(ORIGIN_CA_FILE))).append("]\n");
                tlsLines.forEach(line -> text.append("  ").append(line).append('\n'));
            }
            return text.toString();
        }
    }

    private static String quoted(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\") + "\"";
    }

    /** The CA Sluice mints leaves from; null unless the fixture was built with {@link Builder#tls}. */
    public CertificateAuthority ca() {
        return ca;
    }

    /** Trusts the test PKI's CA (origins, seen through a splice) and Sluice's CA when it has one (bumps). */
    public HandshakeCertificates clientCertificates() {
        return clientCertificates;
    }

    public InetSocketAddress proxyAddress() {
        return server.proxyAddress();
    }

    public InetSocketAddress adminAddress() {
        return server.adminAddress();
    }

    /** The YAML this Sluice was started from, for failure messages. */
    public String yaml() {
        return yaml;
    }

    public Proxy proxy() {
        return new Proxy(Proxy.Type.HTTP, proxyAddress());
    }

    /** A JDK HttpClient builder that goes through Sluice and trusts {@link #clientCertificates()}. */
    public HttpClient.Builder httpClient() {
        return HttpClient.newBuilder()
                .proxy(ProxySelector.of(proxyAddress()))
                .sslContext(clientCertificates.sslContext())
                .connectTimeout(PATIENCE);
    }

    /** A GET for the JDK HttpClient with a timeout: by default it waits forever, and a test must not. */
    public static HttpRequest jdkGet(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(PATIENCE).build();
    }

    /** An OkHttp builder that goes through Sluice and trusts {@link #clientCertificates()}. */
    public OkHttpClient.Builder okHttpBuilder() {
        return new OkHttpClient.Builder()
                .proxy(proxy())
                .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
                .connectTimeout(PATIENCE)
                .readTimeout(PATIENCE)
                .writeTimeout(PATIENCE)
                .callTimeout(Duration.ofSeconds(60))
                .retryOnConnectionFailure(false);
    }

    /** An OkHttp client like {@link #okHttpBuilder()}'s, shut down when the fixture closes. */
    public OkHttpClient okHttp() {
        return track(okHttpBuilder().build());
    }

    /** Shuts the client's threads and pooled connections down when the fixture closes. */
    public OkHttpClient track(OkHttpClient client) {
        okHttpClients.add(client);
        return client;
    }

    public RawProxyConnection raw() throws IOException {
        return RawProxyConnection.open(proxyAddress());
    }

    /** Scrapes {@code /metrics} from the admin listener over real HTTP. */
    public PrometheusText metrics() {
        try {
            URI uri = URI.create("http://" + hostPort(adminAddress()) + "/metrics");
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout((int) PATIENCE.toMillis());
            connection.setReadTimeout((int) PATIENCE.toMillis());
            try (InputStream in = connection.getInputStream()) {
                if (connection.getResponseCode() != 200) {
                    throw new IllegalStateException("/metrics answered " + connection.getResponseCode());
                }
                return PrometheusText.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until a metric (summed over samples with the given labels) reaches at least {@code atLeast}:
     * some are counted when a connection closes, after the client already has its answer.
     */
    public double awaitMetric(double atLeast, String name, String... labelPairs) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        PrometheusText metrics;
        do {
            metrics = metrics();
            double value = metrics.value(name, labelPairs);
            if (value >= atLeast) return value;
            sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("metric " + name + List.of(labelPairs) + " never reached " + atLeast
                + "; last scrape:\n" + metrics);
    }

    /** Waits until a gauge (summed over samples with the given labels) drops to at most {@code atMost}. */
    public double awaitMetricAtMost(double atMost, String name, String... labelPairs) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        PrometheusText metrics;
        do {
            metrics = metrics();
            double value = metrics.value(name, labelPairs);
            if (value <= atMost) return value;
            sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("metric " + name + List.of(labelPairs) + " never fell to " + atMost
                + "; last scrape:\n" + metrics);
    }

    /** Access-log lines written so far; a line the writer thread has not ended yet is left for a later read. */
    public List<AccessLogLine> accessLog() {
        try {
            if (!Files.exists(accessLogFile)) return List.of();
            String text = Files.readString(accessLogFile, StandardCharsets.UTF_8);
            return text.substring(0, text.lastIndexOf('\n') + 1).lines()
                    .filter(line -> !line.isBlank())
                    .map(AccessLogLine::parse)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for an access-log line matching the predicate; lines are written off the event loop, so later. */
    public AccessLogLine awaitAccessLog(Predicate<AccessLogLine> matching) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        List<AccessLogLine> lines;
        do {
            lines = accessLog();
            for (AccessLogLine line : lines) {
                if (matching.test(line)) return line;
            }
            sleep(50);
        } while (System.nanoTime() < deadline);
        StringBuilder seen = new StringBuilder();
        lines.forEach(line -> seen.append(line.raw()).append('\n'));
        throw new AssertionError("no matching access-log line; lines so far:\n" + seen);
    }

    @Override
    public void close() {
        for (OkHttpClient client : okHttpClients) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        try {
            server.close();
        } finally {
            accessLog.close();
            metrics.close();
            deleteQuietly(tempDir);
        }
        for (OkHttpClient client : okHttpClients) {
            try {
                client.dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Sleeps between polls; an interrupt fails the test. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
