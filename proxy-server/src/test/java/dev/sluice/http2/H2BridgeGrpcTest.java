package dev.sluice.http2;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.RecordingHttpObserver;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java client → the bridge → grpc-java server, cleartext prior-knowledge h2 on both legs: the call shapes of
 * {@link GrpcCalls}, and what the bridge records of them, the per-call gRPC view included.
 */
class H2BridgeGrpcTest {
    private GrpcEchoServer origin;
    private BridgeHarness bridge;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        origin = GrpcEchoServer.startPlaintext();
        bridge = BridgeHarness.cleartext(origin.port());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", bridge.port()).usePlaintext()
                .maxInboundMessageSize(GrpcEchoServer.MAX_MESSAGE_BYTES).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        bridge.close();
        origin.close();
    }

    @Test
    void aUnaryCallIsBridgedAndRecordedAsOneExchange() throws Exception {
        GrpcCalls.unaryEchoes(channel, "hello");

        RecordingHttpObserver observer = bridge.onlyObserver();
        HttpExchangeRecord exchange = observer.awaitExchanges(1).get(0);
        assertThat(exchange.protocol()).isEqualTo("h2");
        assertThat(exchange.method()).isEqualTo("POST");
        assertThat(exchange.authority()).isEqualTo("127.0.0.1:" + bridge.port());
        assertThat(exchange.path()).isEqualTo("/sluice.test.Echo/Echo");
        assertThat(exchange.status()).isEqualTo(200);
        assertThat(exchange.bytesUp()).isEqualTo(5 + 5);
        assertThat(exchange.bytesDown()).isEqualTo(5 + 5);
        assertThat(exchange.error()).isNull();
        // grpc-java's server names its identity encoding; its client sends none
        assertThat(exchange.grpc()).isEqualTo(new GrpcCallRecord(GrpcEchoServer.SERVICE, "Echo", 0, null, null,
                "identity", 1, 1, 5, 5, null, false));

        channel.shutdown();
        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.exchanges).hasSize(1);
        assertThat(observer.streamsOpened).hasValue(1);
    }

    @Test
    void aHundredConcurrentCallsShareOneBridgedConnection() throws Exception {
        GrpcCalls.aHundredConcurrentEchoes(channel);

        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitExchanges(100)).allSatisfy(exchange -> assertThat(exchange.error()).isNull());
    }

    @Test
    void tenThousandServerStreamedMessagesArriveInOrder() throws Exception {
        GrpcCalls.serverStreamsInOrder(channel, 10_000);

        GrpcCallRecord call = bridge.onlyObserver().awaitExchanges(1).get(0).grpc();
        assertThat(call.method()).isEqualTo("Count");
        assertThat(call.requestMessages()).isEqualTo(1);
        assertThat(call.responseMessages()).isEqualTo(10_000);
        assertThat(call.responseBytes()).isEqualTo(10_000 * 4);
        assertThat(call.code()).isZero();
    }

    @Test
    void clientStreamedMessagesAllReachTheServer() throws Exception {
        GrpcCalls.clientStreamIsTallied(channel);

        GrpcCallRecord call = bridge.onlyObserver().awaitExchanges(1).get(0).grpc();
        assertThat(call.requestMessages()).isEqualTo(1000);
        assertThat(call.requestBytes()).isEqualTo(1000 * 100);
        assertThat(call.responseMessages()).isEqualTo(1);
    }

    @Test
    void bidiPingPongAlternatesThroughTheBridge() throws Exception {
        GrpcCalls.bidiPingPongs(channel);
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWayIntact() throws Exception {
        GrpcCalls.bigMessageEchoes(channel);

        GrpcCallRecord call = bridge.onlyObserver().awaitExchanges(1).get(0).grpc();
        assertThat(call.requestMessages()).as("one message over many DATA frames").isEqualTo(1);
        assertThat(call.requestBytes()).isEqualTo(16 << 20);
        assertThat(call.responseMessages()).isEqualTo(1);
        assertThat(call.responseBytes()).isEqualTo(16 << 20);
    }

    @Test
    void anErrorStatusWithCustomTrailersArrivesIntact() throws Exception {
        GrpcCalls.errorStatusKeepsItsTrailers(channel);

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.error()).isNull();
        assertThat(exchange.grpc().code()).isEqualTo(5);
        assertThat(exchange.grpc().message()).as("percent-decoded").isEqualTo(GrpcEchoServer.FAIL_DESCRIPTION);
    }

    @Test
    void aClientCancelReachesTheServerAsACancellation() throws Exception {
        GrpcCalls.clientCancelReachesTheServer(channel, origin);

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.error()).isEqualTo("client_reset");
        assertThat(exchange.grpc().code()).as("no status").isEqualTo(-1);
    }

    @Test
    void aCallSluiceAnswersItselfIsSeenByTheViewWithSluicesAnswer() throws Exception {
        ManagedChannel elsewhere = NettyChannelBuilder.forAddress("127.0.0.1", bridge.port()).usePlaintext()
                .overrideAuthority("elsewhere.test:443").build();
        try {
            assertThatThrownBy(() -> GrpcCalls.unaryEchoes(elsewhere, "hello"))
                    .isInstanceOf(StatusRuntimeException.class);
        } finally {
            elsewhere.shutdownNow().awaitTermination(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.status()).as("Sluice's 421").isEqualTo(421);
        assertThat(exchange.grpc().method()).isEqualTo("Echo");
        assertThat(exchange.grpc().code()).as("no grpc-status in a 421").isEqualTo(-1);
    }

    @Test
    void withTheCallViewOffACallIsAPlainExchange() throws Exception {
        bridge.close();
        bridge = BridgeHarness.cleartextWithoutCallView(origin.port());
        channel.shutdownNow();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", bridge.port()).usePlaintext().build();

        GrpcCalls.unaryEchoes(channel, "hello");

        HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
        assertThat(exchange.path()).isEqualTo("/sluice.test.Echo/Echo");
        assertThat(exchange.grpc()).isNull();
    }

    @Test
    void anExceededDeadlineCancelsTheCallOnTheServer() throws Exception {
        if (GrpcCalls.deadlineCancelsTheCallAtTheServer(channel, origin)) {
            // Both ends know the deadline (grpc-timeout): whichever resets first names the exchange's end.
            HttpExchangeRecord exchange = bridge.onlyObserver().awaitExchanges(1).get(0);
            assertThat(exchange.error()).isIn("client_reset", "upstream_reset");
            assertThat(exchange.grpc().code()).as("no status").isEqualTo(-1);
        }
    }

    @Test
    void everyStreamIsOpenedClosedAndReportedOnceAndTheConnectionOnceAtTheEnd() throws Exception {
        IntStream.range(0, 20).forEach(i ->
                ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(), intMessage(i)));
        RecordingHttpObserver observer = bridge.onlyObserver();
        observer.awaitExchanges(20);

        channel.shutdown();

        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.exchanges).hasSize(20);
        assertThat(observer.streamsOpened).hasValue(20);
        assertThat(observer.bytesUp).hasValue(20 * 9);
        assertThat(observer.bytesDown).hasValue(20 * 9);
    }
}
