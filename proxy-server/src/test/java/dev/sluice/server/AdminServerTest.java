package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.HostPort;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.passthrough.PassthroughRegistry;
import dev.sluice.testing.PassthroughAdmin;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Metrics metrics = Metrics.create();
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    private Channel server;

    @BeforeEach
    void start() throws InterruptedException {
        server = AdminServer.bind(group, new HostPort("127.0.0.1", 0), metrics, ready::get);
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
    }

    @Test
    void metricsServesThePrometheusTextFormat() throws Exception {
        metrics.connectionOpened(Metrics.KIND_TUNNEL);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("sluice_connections_active{kind=\"tunnel\"} 1.0",
                "jvm_memory_used_bytes");
    }

    @Test
    void healthzSaysOkWhileTheProcessRuns() throws Exception {
        ready.set(false);

        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
    }

    @Test
    void readyzFollowsTheReadinessSupplier() throws Exception {
        HttpResponse<String> whenReady = get("/readyz");
        ready.set(false);
        HttpResponse<String> whenNotReady = get("/readyz");

        assertThat(whenReady.statusCode()).isEqualTo(200);
        assertThat(whenReady.body()).isEqualTo("ready");
        assertThat(whenNotReady.statusCode()).isEqualTo(503);
        assertThat(whenNotReady.body()).isEqualTo("not ready");
    }

    @Test
    void caCrtIs404WithoutACa() throws Exception {
        HttpResponse<String> response = get("/ca.crt");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("no CA configured (see tls: in the config)");
    }

    @Test
    void caCrtServesTheCaCertificatePem(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        server.close().sync();
        server = AdminServer.bind(group, new HostPort("127.0.0.1", 0), metrics, ready::get, ca.certificatePem());

        HttpResponse<String> response = get("/ca.crt");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/x-pem-file");
        assertThat(response.body()).isEqualTo(Files.readString(dir.resolve("ca.crt")));
        X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(response.body().getBytes(StandardCharsets.US_ASCII)));
        assertThat(served).isEqualTo(ca.certificate());
    }

    @Test
    void unknownPathsAre404() throws Exception {
        HttpResponse<String> response = get("/admin");

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void aQueryStringDoesNotChangeThePath() throws Exception {
        assertThat(get("/healthz?verbose=1").statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri("/metrics")).timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void deleteIsAllowedOnlyOnPassthrough() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(uri("/metrics")).timeout(TIMEOUT).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void passthroughListsWhatAutomaticPassthroughLearnedAsJson() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        registry.originAskedForCertificate("mtls.example", 8443);
        registry.clientRefusedLeaf(InetAddress.getByName("10.1.2.3"), "pinned.example", 443, "unknown_ca");

        PassthroughAdmin.Answer answer = PassthroughAdmin.request(address(), "GET", "/passthrough");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("application/json");
        List<Map<String, Object>> entries = answer.entries("entries");
        assertThat(entries).hasSize(2);
        assertThat(answer.summary()).containsExactlyInAnyOrderEntriesOf(
                Map.of("truncated", false, "total.mtls", 1L, "total.pinned", 1L));
        assertThat(entries.get(0)).containsEntry("kind", "mtls").containsEntry("host", "mtls.example")
                .containsEntry("port", 8443L).containsEntry("count", 1L).containsEntry("splicing", true)
                .containsEntry("hits", 0L).containsKeys("first", "last", "expires");
        assertThat(entries.get(1)).containsEntry("kind", "pinned").containsEntry("client", "10.1.2.3/32")
                .containsEntry("sni", "pinned.example").containsEntry("port", 443L).containsEntry("count", 1L)
                .containsEntry("splicing", false).doesNotContainKey("host");
        assertThat(Instant.parse((String) entries.get(0).get("expires")))
                .isEqualTo(Instant.parse((String) entries.get(0).get("last")).plus(Duration.ofHours(1)));
    }

    @Test
    void aLongListingShowsTheLatestThousandOfEachKindAndSaysItIsTruncated() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        for (int i = 0; i < AdminServer.PASSTHROUGH_LISTED_PER_KIND + 5; i++) {
            registry.originAskedForCertificate("mtls-" + i + ".example", 443);
        }
        registry.clientRefusedLeaf(InetAddress.getByName("10.1.2.3"), "pinned.example", 443, "unknown_ca");

        PassthroughAdmin.Answer listing = PassthroughAdmin.request(address(), "GET", "/passthrough");
        PassthroughAdmin.Answer removed = PassthroughAdmin.request(address(), "DELETE", "/passthrough");

        assertThat(listing.entries("entries")).hasSize(AdminServer.PASSTHROUGH_LISTED_PER_KIND + 1);
        assertThat(listing.summary()).containsExactlyInAnyOrderEntriesOf(Map.of("truncated", true,
                "total.mtls", AdminServer.PASSTHROUGH_LISTED_PER_KIND + 5L, "total.pinned", 1L));
        assertThat(removed.entries("removed")).hasSize(AdminServer.PASSTHROUGH_LISTED_PER_KIND + 1);
        assertThat(removed.summary()).containsEntry("truncated", true)
                .containsEntry("total.mtls", AdminServer.PASSTHROUGH_LISTED_PER_KIND + 5L);
        assertThat(PassthroughAdmin.list(address())).as("a clear forgets all it matched").isEmpty();
    }

    @Test
    void deleteWithAHostForgetsThatHostsEntriesAndSaysWhich() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        registry.originAskedForCertificate("mtls.example", 443);
        registry.originAskedForCertificate("other.example", 443);

        List<Map<String, Object>> removed = PassthroughAdmin.clear(address(), "MTLS.example");

        assertThat(removed).singleElement().satisfies(entry -> assertThat(entry).containsEntry("host", "mtls.example"));
        assertThat(PassthroughAdmin.list(address())).singleElement()
                .satisfies(entry -> assertThat(entry).containsEntry("host", "other.example"));
        assertThat(PassthroughAdmin.clear(address(), "mtls.example")).as("nothing left to forget").isEmpty();
    }

    @Test
    void deleteWithoutAHostForgetsEverything() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        registry.originAskedForCertificate("mtls.example", 443);
        registry.clientRefusedLeaf(InetAddress.getByName("10.1.2.3"), "pinned.example", 443, "closed");

        assertThat(PassthroughAdmin.clear(address(), null)).hasSize(2);
        assertThat(PassthroughAdmin.list(address())).isEmpty();
    }

    @Test
    void aDeleteWhoseHostIsAnyOtherNameIsRefusedAndForgetsNothing() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        registry.originAskedForCertificate("mtls.example", 443);

        String answer = exchange("DELETE /passthrough HTTP/1.1\r\nHost: rebound.example:9090\r\n");
        String withoutHost = exchange("DELETE /passthrough HTTP/1.0\r\n");

        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden").endsWith(RebindingGuard.REFUSAL);
        assertThat(withoutHost).startsWith("HTTP/1.1 403 Forbidden");
        assertThat(PassthroughAdmin.list(address())).hasSize(1);
    }

    @Test
    void aDeleteThatNamesTheListenerAsLocalhostOrByAddressGoesAhead() throws Exception {
        PassthroughRegistry registry = withPassthrough();
        registry.originAskedForCertificate("mtls.example", 443);
        registry.originAskedForCertificate("other.example", 443);

        String byName = exchange("DELETE /passthrough?host=mtls.example HTTP/1.1\r\nHost: localhost:9090\r\n");
        String byAddress = exchange("DELETE /passthrough HTTP/1.1\r\nHost: [::1]:9090\r\n");

        assertThat(byName).startsWith("HTTP/1.1 200 OK").contains("mtls.example");
        assertThat(byAddress).startsWith("HTTP/1.1 200 OK").contains("other.example");
        assertThat(PassthroughAdmin.list(address())).isEmpty();
    }

    @Test
    void readsAnswerWhateverNameTheHostHeaderUses() throws Exception {
        withPassthrough();

        assertThat(exchange("GET /passthrough HTTP/1.1\r\nHost: sluice-admin.monitoring.svc:9090\r\n"))
                .startsWith("HTTP/1.1 200 OK");
        assertThat(exchange("GET /metrics HTTP/1.1\r\nHost: sluice-admin:9090\r\n")).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void passthroughAnswersGetAndDeleteOnly() throws Exception {
        withPassthrough();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/passthrough")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("allow")).hasValue("GET, DELETE");
        assertThat(PassthroughAdmin.request(address(), "DELETE", "/passthrough?host=").status()).isEqualTo(400);
    }

    @Test
    void passthroughIs404WhenNothingIsBumped() {
        assertThat(PassthroughAdmin.request(address(), "GET", "/passthrough").status()).isEqualTo(404);
        assertThat(PassthroughAdmin.request(address(), "DELETE", "/passthrough").status()).isEqualTo(404);
    }

    @Test
    void oneConnectionServesSeveralRequests() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /readyz HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String answer = readAll(socket.getInputStream());

            assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("\r\n\r\nok", "\r\n\r\nready");
        }
    }

    @Test
    void oversizedHeadersGetA400AndTheConnectionCloses() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(16 * 1024) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readAll(socket.getInputStream())).startsWith("HTTP/1.1 400 Bad Request");
        }
    }

    @Test
    void connectionsPastTheCapAreClosedOnAcceptAndCountedUntilOneCloses() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
                held.add(connect());
            }
            // Accepted in the order they connected, so after all the held ones.
            try (Socket refused = connect()) {
                assertThat(refused.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(metrics.scrape()).contains("sluice_connections_refused_total{limit=\"admin\"} 1.0");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String answer = "";
        while (!answer.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
            answer = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        }
        assertThat(answer).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAtATimeInOrder() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<dev.sluice.reload.ReloadOutcome> outcome =
                new java.util.concurrent.CompletableFuture<>();
        server.close().sync();
        server = AdminServer.bind(group, new HostPort("127.0.0.1", 0), metrics, ready::get, () -> null, null,
                trigger -> {
                    reloads.incrementAndGet();
                    return outcome;
                });
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            // A client that pipelines and does not wait: its requests must not all be started at once (each
            // answer would wait in Sluice's memory for a client that may never read).
            out.write(("POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".repeat(50)
                    + "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.setSoTimeout(500);
            try {
                assertThat(socket.getInputStream().read()).as("nothing is answered before the first reload ends")
                        .isEqualTo(-2);
            } catch (java.net.SocketTimeoutException expected) {
                // nothing came
            }
            assertThat(reloads).hasValue(1);
            socket.setSoTimeout((int) TIMEOUT.toMillis());

            outcome.complete(new dev.sluice.reload.ReloadOutcome(true, List.of(), "summary", List.of()));

            String answer = readAll(socket.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nok");
            assertThat(answer.split("reloaded: summary", -1)).hasSize(51);
        }
    }

    /** Rebinds the listener with a registry of its own, as a Sluice that bumps has. */
    private PassthroughRegistry withPassthrough() throws InterruptedException {
        PassthroughRegistry registry = new PassthroughRegistry(PassthroughConfig.DEFAULTS, metrics);
        server.close().sync();
        server = AdminServer.bind(group, new HostPort("127.0.0.1", 0), metrics, ready::get, () -> null, registry);
        return registry;
    }

    private InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        return URI.create("http://127.0.0.1:" + address.getPort() + path);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    /** Sends a request head (request line and headers, each ending in CRLF) with {@code Connection: close}. */
    private String exchange(String head) throws IOException {
        try (Socket socket = connect()) {
            return exchangeOn(socket, head);
        }
    }

    /** Sends a request head with {@code Connection: close} on {@code socket}; what comes back until the close. */
    private static String exchangeOn(Socket socket, String head) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readAll(socket.getInputStream());
    }

    /** Reads until the server closes the connection. */
    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
