package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bridge behind TLS with ALPN h2 on both legs, as a bump runs it: grpc-java TLS client and server. */
class H2BridgeTlsTest {
    @Test
    void grpcCallsCrossTheBridgeWithTlsOnBothLegs() throws Exception {
        try (GrpcEchoServer origin = GrpcEchoServer.start(); BridgeHarness bridge = BridgeHarness.tls(origin.port())) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", bridge.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(TestPki.get().caCertificate()).build())
                    .build();
            try {
                GrpcCalls.unaryEchoes(channel, "over tls");
                GrpcCalls.serverStreamsInOrder(channel, 1_000);
            } finally {
                channel.shutdown().awaitTermination(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(bridge.onlyObserver().awaitClosed()).isNull();
            assertThat(bridge.onlyObserver().exchanges).hasSize(2);
        }
    }
}
