package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import java.security.cert.X509Certificate;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okio.Buffer;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * "Bump everything except gRPC clients": a {@code grpcClient: true} splice rule before a bump default. To one host
 * and port, a grpc-java client (ALPN offers: h2) is spliced and an OkHttp client (h2, http/1.1) is bumped. Each
 * client trusts one CA only, so its call succeeding says whose certificate it saw.
 */
class GrpcClientExclusionTest {
    private SluiceFixture sluice;
    private GrpcEchoServer origin;

    @BeforeEach
    void start() {
        sluice = SluiceFixture.builder().tls().yaml("""
                rules:
                  - name: grpc-clients
                    match: {grpcClient: true}
                    action: splice
                default: bump
                """).start();
        origin = GrpcEchoServer.start();
    }

    @AfterEach
    void stop() {
        origin.close();
        sluice.close();
    }

    @Test
    void aGrpcJavaClientIsSplicedAndSeesTheOriginsCertificate() throws Exception {
        // Trusting only the origin's CA, the call succeeds only if no leaf of Sluice's was in the way.
        ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(),
                TestPki.get().caCertificate());
        try {
            GrpcCalls.unaryEchoes(channel, "spliced by grpcClient");
        } finally {
            GrpcChannels.close(channel); // the tunnel's line is written when it closes
        }

        String target = TestOrigins.authority(origin.port());
        AccessLogLine line = sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method")) && target.equals(l.text("target")));
        assertThat(line.text("action")).isEqualTo("splice");
        assertThat(line.text("rule")).isEqualTo("grpc-clients");
        assertThat(line.text("sni")).isEqualTo(TestPki.ORIGIN_HOST);
        sluice.awaitMetric(1, "sluice_decisions_total", "action", "splice", "rule", "grpc-clients");
        assertThat(sluice.metrics().value("sluice_decisions_total", "action", "bump")).isZero();
    }

    @Test
    void anOkHttpClientToTheSameHostAndPortIsBumpedAndSeesALeafFromSluicesCa() throws Exception {
        // Trusting only Sluice's CA, the handshake succeeds only against a minted leaf.
        HandshakeCertificates sluiceOnly = new HandshakeCertificates.Builder()
                .addTrustedCertificate(sluice.ca().certificate()).build();
        OkHttpClient okHttp = sluice.track(sluice.okHttpBuilder()
                .sslSocketFactory(sluiceOnly.sslSocketFactory(), sluiceOnly.trustManager()).build());
        String url = "https://" + TestOrigins.authority(origin.port()) + "/" + GrpcEchoServer.SERVICE + "/Echo";
        Request echo = new Request.Builder().url(url).header("te", "trailers")
                .post(RequestBody.create(grpcFrame("bumped"), MediaType.get("application/grpc"))).build();

        try (Response response = okHttp.newCall(echo).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
            X509Certificate leaf = (X509Certificate) response.handshake().peerCertificates().get(0);
            assertThat(leaf.getIssuerX500Principal()).isEqualTo(sluice.ca().certificate().getSubjectX500Principal());
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().byteString()).isEqualTo(grpcFrame("bumped"));
            assertThat(response.trailers().get("grpc-status")).isEqualTo("0");
        }

        AccessLogLine line = sluice.awaitAccessLog(l -> url.equals(l.text("target")));
        assertThat(line.text("action")).isEqualTo("bump");
        assertThat(line.text("rule")).isEqualTo("default");
        assertThat(line.text("protocol")).isEqualTo("h2");
        sluice.awaitMetric(1, "sluice_decisions_total", "action", "bump", "rule", "default");
        assertThat(sluice.metrics().value("sluice_decisions_total", "rule", "grpc-clients")).isZero();
    }

    /** One uncompressed gRPC message: flag 0, a 4-byte big-endian length, the bytes. */
    private static ByteString grpcFrame(String text) {
        ByteString message = ByteString.encodeUtf8(text);
        return new Buffer().writeByte(0).writeInt(message.size()).write(message).readByteString();
    }
}
