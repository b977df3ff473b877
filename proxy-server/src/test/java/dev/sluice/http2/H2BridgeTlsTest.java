package dev.sluice.http2;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static dev.sluice.testing.GrpcEchoServer.intOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.TestPki;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
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
                byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, CallOptions.DEFAULT,
                        "over tls".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("over tls");

                Iterator<byte[]> counted = ClientCalls.blockingServerStreamingCall(channel, GrpcEchoServer.COUNT,
                        CallOptions.DEFAULT, intMessage(1_000));
                int expected = 0;
                while (counted.hasNext()) {
                    assertThat(intOf(counted.next())).isEqualTo(expected++);
                }
                assertThat(expected).isEqualTo(1_000);
            } finally {
                channel.shutdown().awaitTermination(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(bridge.onlyObserver().awaitClosed()).isNull();
            assertThat(bridge.onlyObserver().exchanges).hasSize(2);
        }
    }
}
