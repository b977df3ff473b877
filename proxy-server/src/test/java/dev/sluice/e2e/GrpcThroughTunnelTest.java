package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** grpc-java, through its own HTTP CONNECT proxy support, talks to a grpc-java TLS server across the splice. */
class GrpcThroughTunnelTest extends GrpcCallsContract {
    @Override
    SluiceFixture startSluice() {
        return SluiceFixture.start();
    }

    /** The origin's own CA only: a splice hands the client the origin's certificate. */
    @Override
    X509Certificate trustedByClient() {
        return TestPki.get().caCertificate();
    }

    @Test
    void theChannelsTunnelIsASpliceThatIsLoggedWhenTheChannelCloses() throws Exception {
        ManagedChannel own = newChannel();
        try {
            ClientCalls.blockingUnaryCall(own, GrpcEchoServer.ECHO, GrpcCalls.options(), new byte[] {1});
        } finally {
            GrpcChannels.close(own);
        }

        String target = TestOrigins.authority(origin.port());
        var line = sluice.awaitAccessLog(l -> "CONNECT".equals(l.text("method")) && target.equals(l.text("target")));
        assertThat(line.text("action")).isEqualTo("splice");
        assertThat(line.number("status")).isEqualTo(200);
        sluice.awaitMetric(1, "sluice_connections_total", "kind", "tunnel");
    }
}
