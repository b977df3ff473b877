package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.SubjectAltName;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bumps to different hosts running at once on one Sluice share its client-facing TLS contexts, yet every client
 * is served the leaf for its own host: its origin's names, never another bump's.
 */
class BumpConcurrentHostsTest {
    private static final int CLIENTS_PER_HOST = 8;
    private static final String ALPHA = "alpha.test";
    private static final String BETA = "beta.test";

    @ParameterizedTest(name = "tls.{0}")
    @ValueSource(strings = {"provider: auto", "provider: jdk"})
    void eachClientSeesTheLeafForItsOwnHost(String provider) throws Exception {
        try (SluiceFixture sluice = SluiceFixture.builder().tls(provider).host(ALPHA, "127.0.0.1")
                .host(BETA, "127.0.0.1").yaml("default: bump").start();
             MockWebServer alpha = origin(ALPHA);
             MockWebServer beta = origin(BETA)) {
            ExecutorService clients = Executors.newFixedThreadPool(2 * CLIENTS_PER_HOST);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<X509Certificate>> alphaLeaves = new ArrayList<>();
            List<Future<X509Certificate>> betaLeaves = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS_PER_HOST; i++) {
                    alphaLeaves.add(clients.submit(leafSeenBy(sluice, go, "https://" + ALPHA + ":" + alpha.getPort())));
                    betaLeaves.add(clients.submit(leafSeenBy(sluice, go, "https://" + BETA + ":" + beta.getPort())));
                }
                go.countDown();

                for (Future<X509Certificate> leaf : alphaLeaves) {
                    assertNamesOnly(leaf, ALPHA, BETA);
                }
                for (Future<X509Certificate> leaf : betaLeaves) {
                    assertNamesOnly(leaf, BETA, ALPHA);
                }
            } finally {
                clients.shutdownNow();
            }
            sluice.awaitMetric(2 * CLIENTS_PER_HOST, "sluice_bump_handshakes_total", "outcome", "ok");
        }
    }

    /** One client of its own (a fresh TLS context, so a full handshake), waiting for {@code go}. */
    private static Callable<X509Certificate> leafSeenBy(SluiceFixture sluice, CountDownLatch go, String url) {
        return () -> {
            go.await(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            try (Response response = sluice.track(sluice.okHttpBuilder().build())
                    .newCall(new Request.Builder().url(url + "/").build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
                return (X509Certificate) response.handshake().peerCertificates().get(0);
            }
        };
    }

    private static void assertNamesOnly(Future<X509Certificate> leaf, String own, String other) throws Exception {
        List<SubjectAltName> names = SubjectAltName.of(leaf.get(2 * SluiceFixture.PATIENCE.toSeconds(),
                TimeUnit.SECONDS));
        assertThat(names).contains(SubjectAltName.forHost(own)).doesNotContain(SubjectAltName.forHost(other));
    }

    /** An origin whose certificate names only {@code host}, answering every request. */
    private static MockWebServer origin(String host) {
        HeldCertificate certificate = new HeldCertificate.Builder().commonName(host).addSubjectAlternativeName(host)
                .signedBy(TestPki.get().ca()).build();
        MockWebServer origin = TestOrigins.https(new HandshakeCertificates.Builder().heldCertificate(certificate)
                .build(), Protocol.HTTP_1_1);
        for (int i = 0; i < CLIENTS_PER_HOST; i++) {
            origin.enqueue(new MockResponse.Builder().body(host).build());
        }
        return origin;
    }
}
