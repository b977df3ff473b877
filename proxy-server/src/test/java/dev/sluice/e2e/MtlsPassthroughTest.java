package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.PassthroughAdmin;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import java.util.List;
import java.util.Map;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A grpc-java server that requires a client certificate, behind a bump rule: Sluice cannot bump it without breaking
 * authentication. The origin asks during Sluice's upstream handshake, so Sluice drops that attempt and splices the
 * client's own ClientHello to the origin, whose certificate the client then sees and whose request for a certificate
 * the client itself answers; later connections are spliced at once. The client trusts the origin's CA and Sluice's.
 */
class MtlsPassthroughTest extends GrpcOriginBehindBumpRule {
    private static final HeldCertificate CLIENT = new HeldCertificate.Builder().commonName("grpc client")
            .signedBy(TestPki.get().ca()).build();
    private static final String CLIENT_CERTIFICATE_ASKED = "upstream_client_certificate";

    @Override
    GrpcEchoServer startOrigin() {
        return GrpcEchoServer.startRequiringClientCertificates(TestPki.get().caCertificate());
    }

    @ParameterizedTest(name = "tls.provider: {0}")
    @ValueSource(strings = {"auto", "jdk"})
    void theFirstConnectionIsSplicedWhenTheOriginAsksAndLaterOnesAtOnce(String provider) throws Exception {
        startSluice("provider: " + provider, "", "");

        for (int i = 0; i < 3; i++) {
            assertThat(callSeeingPeer(channel())).as("connection %d sees the origin's own certificate", i)
                    .isEqualTo(TestPki.get().server().certificate());
        }

        assertThat(sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "failed", "reason",
                CLIENT_CERTIFICATE_ASKED)).as("only the first connection tried to bump").isEqualTo(1);
        assertThat(sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "ok")).isZero();
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "mtls")).isEqualTo(1);
        assertThat(sluice.metrics().value("sluice_passthrough_spliced_total", "reason", "mtls")).isEqualTo(3);
        assertThat(sluice.metrics().value("sluice_passthrough_entries", "reason", "mtls")).isEqualTo(1);
        AccessLogLine line = sluice.awaitAccessLog(l -> "mtls".equals(l.text("passthrough")));
        assertThat(line.text("action")).isEqualTo("splice");
        assertThat(line.text("rule")).isEqualTo(RULE);
        assertThat(line.text("target")).isEqualTo(TestPki.ORIGIN_HOST + ":" + origin.port());
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).singleElement().satisfies(entry -> assertThat(entry)
                .containsEntry("kind", "mtls")
                .containsEntry("host", TestPki.ORIGIN_HOST)
                .containsEntry("port", (long) origin.port())
                .containsEntry("count", 1L)
                .containsEntry("splicing", true)
                .containsEntry("hits", 2L)
                .containsKeys("first", "last", "expires"));
    }

    /** The origin, not the client, decides that only a splice can work: a deny call rule does not change that. */
    @Test
    void aDenyingCallRuleForTheHostLeavesMtlsPassthroughOn() throws Exception {
        startSluiceWithDenyCallRule("{host: origin.test, grpc: {method: Fail}}", "");

        assertThat(callSeeingPeer(channel())).isEqualTo(TestPki.get().server().certificate());
        assertThat(callSeeingPeer(channel())).isEqualTo(TestPki.get().server().certificate());

        assertThat(sluice.metrics().value("sluice_passthrough_spliced_total", "reason", "mtls")).isEqualTo(2);
    }

    @Test
    void forgettingTheOriginMakesTheNextConnectionTryTheBumpAgain() throws Exception {
        startSluice("", "", "");
        callSeeingPeer(channel());

        List<Map<String, Object>> removed = PassthroughAdmin.clear(sluice.adminAddress(), TestPki.ORIGIN_HOST);

        assertThat(removed).singleElement().satisfies(entry -> assertThat(entry).containsEntry("kind", "mtls"));
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
        assertThat(callSeeingPeer(channel())).isEqualTo(TestPki.get().server().certificate());
        assertThat(sluice.metrics().value("sluice_bump_handshakes_total", "outcome", "failed", "reason",
                CLIENT_CERTIFICATE_ASKED)).as("asked again, learned again").isEqualTo(2);
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "mtls")).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"autoPassthrough: false", "passthrough: {mtls: {enabled: false}}"})
    void withoutAutomaticPassthroughTheCallFailsAndNothingIsLearned(String switchedOff) throws Exception {
        boolean onTheRule = switchedOff.startsWith("autoPassthrough");
        startSluice("", onTheRule ? switchedOff : "", onTheRule ? "" : switchedOff);

        ManagedChannel channel = channel();
        try {
            assertThatThrownBy(() -> GrpcCalls.unaryEchoes(channel, "no certificate can reach the origin"))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            GrpcChannels.close(channel);
        }

        sluice.awaitAccessLog(l -> "bump".equals(l.text("action")) && "CONNECT".equals(l.text("method")));
        assertThat(PassthroughAdmin.list(sluice.adminAddress())).isEmpty();
        assertThat(sluice.metrics().value("sluice_passthrough_learned_total", "reason", "mtls")).isZero();
        assertThat(sluice.metrics().value("sluice_passthrough_spliced_total", "reason", "mtls")).isZero();
    }

    /** The client has its own certificate and trusts the origin's CA and Sluice's. */
    private ManagedChannel channel() throws Exception {
        return GrpcChannels.builder(sluice.proxyAddress(), origin.port())
                .sslContext(GrpcSslContexts.forClient()
                        .keyManager(CLIENT.keyPair().getPrivate(), CLIENT.certificate())
                        .trustManager(TestPki.get().caCertificate(), sluice.ca().certificate())
                        .build())
                .build();
    }
}
