package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** grpc-java, through its own HTTP CONNECT proxy support, talks to a grpc-java TLS server across the splice. */
class GrpcThroughTunnelTest extends GrpcCallsContract {
    private static SluiceFixture sluice;
    private static GrpcEchoServer origin;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        sluice = SluiceFixture.start();
        origin = GrpcEchoServer.start();
        channel = channelThroughSluice();
    }

    /** Trusts the origin's own CA only: a splice hands the client the origin's certificate. */
    private static ManagedChannel channelThroughSluice() {
        return GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(), TestPki.get().caCertificate());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        GrpcChannels.close(channel);
        if (origin != null) origin.close();
        if (sluice != null) sluice.close();
    }

    @Override
    ManagedChannel channel() {
        return channel;
    }

    @Override
    GrpcEchoServer origin() {
        return origin;
    }

    @Test
    void theChannelsTunnelIsASpliceThatIsLoggedWhenTheChannelCloses() throws Exception {
        ManagedChannel own = channelThroughSluice();
        try {
            ClientCalls.blockingUnaryCall(own, GrpcEchoServer.ECHO, options(), new byte[] {1});
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
