package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.testing.OkHttpClients;
import dev.sluice.testing.ReloadableSluice;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing the CA files of a running Sluice: after the reload, bumps are signed by the new CA and {@code /ca.crt}
 * serves it; no leaf of the old CA is served any more, though one was cached for the very same origin.
 */
@Timeout(60)
class CaReloadTest {
    @TempDir
    Path dir;
    private Path caCert;
    private Path caKey;
    private CertificateAuthority oldCa;
    private ReloadableSluice sluice;
    private MockWebServer origin;
    private final OkHttpClients clients = new OkHttpClients();

    @BeforeEach
    void start() throws Exception {
        caCert = dir.resolve("ca.crt");
        caKey = dir.resolve("ca.key");
        Path originCa = dir.resolve("origin-ca.pem");
        Files.writeString(originCa, Certificates.certificatePem(TestPki.get().caCertificate()));
        oldCa = CertificateAuthority.generate(caCert, caKey, false);
        sluice = ReloadableSluice.start(dir, """
                default: bump
                tls:
                  ca: {cert: "%s", key: "%s"}
                  upstreamTrust: ["%s"]
                """.formatted(caCert, caKey, originCa), oldCa);
        origin = TestOrigins.https(Protocol.HTTP_1_1);
    }

    @AfterEach
    void stop() throws Exception {
        clients.close();
        sluice.close();
        origin.close();
    }

    @Test
    void afterTheCaFilesAreReplacedBumpsAreSignedByTheNewCaOnly() throws Exception {
        assertThat(leafFor(trusting(oldCa))).as("signed by the CA Sluice started with")
                .satisfies(leaf -> leaf.verify(oldCa.certificate().getPublicKey()));

        CertificateAuthority newCa = CertificateAuthority.generate(caCert, caKey, true);
        sluice.awaitReloads(1, "success");

        assertThat(leafFor(trusting(newCa))).as("signed by the new CA")
                .satisfies(leaf -> leaf.verify(newCa.certificate().getPublicKey()));
        assertThatThrownBy(() -> leafFor(trusting(oldCa))).as("the old CA's cached leaf is not served")
                .isInstanceOf(SSLException.class);
        assertThat(caCertificateServed()).isEqualTo(newCa.certificatePem());
    }

    @Test
    void aConnectionOpenedBeforeTheSwapThatBumpsAfterItIsRefusedRatherThanGivenAnOldLeaf() throws Exception {
        try (Socket early = new Socket()) {
            early.connect(sluice.proxyAddress(), (int) SluiceFixture.PATIENCE.toMillis());
            early.setSoTimeout((int) SluiceFixture.PATIENCE.toMillis());
            assertThat(leafFor(trusting(oldCa))).satisfies(leaf -> leaf.verify(oldCa.certificate().getPublicKey()));

            CertificateAuthority.generate(caCert, caKey, true);
            sluice.awaitReloads(1, "success");

            early.getOutputStream().write(("CONNECT " + TestOrigins.authority(origin.getPort()) + " HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(head(early)).startsWith("HTTP/1.1 200 ");
            SSLSocket tls = (SSLSocket) trustingOnly(oldCa).sslSocketFactory()
                    .createSocket(early, TestPki.ORIGIN_HOST, origin.getPort(), false);
            assertThatThrownBy(tls::startHandshake).as("no leaf of the old CA").isInstanceOf(IOException.class);
        }
    }

    /** Bumps a GET to the origin and returns the leaf the client was shown. */
    private X509Certificate leafFor(OkHttpClient client) throws Exception {
        origin.enqueue(new MockResponse.Builder().body("bumped").build());
        try (Response response = client.newCall(new Request.Builder().url(url("https", origin, "/")).build())
                .execute()) {
            assertThat(response.body().string()).isEqualTo("bumped");
            return (X509Certificate) response.handshake().peerCertificates().get(0);
        }
    }

    /** A client through Sluice trusting {@code ca} alone, on connections of its own. */
    private OkHttpClient trusting(CertificateAuthority ca) {
        HandshakeCertificates trust = trustingOnly(ca);
        InetSocketAddress proxy = sluice.proxyAddress();
        return clients.create(builder -> builder.proxy(new Proxy(Proxy.Type.HTTP, proxy))
                .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
                .connectTimeout(SluiceFixture.PATIENCE));
    }

    /** Reads a response head up to its blank line, and not a byte further (the tunnel's bytes follow it). */
    private static String head(Socket socket) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = socket.getInputStream().read();
            assertThat(b).as("a complete response head").isNotNegative();
            head.append((char) b);
        }
        return head.toString();
    }

    private static HandshakeCertificates trustingOnly(CertificateAuthority ca) {
        return new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build();
    }

    private String caCertificateServed() throws Exception {
        URI uri = URI.create("http://" + SluiceFixture.hostPort(sluice.adminAddress()) + "/ca.crt");
        return HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
