package dev.sluice.http2;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.RecordingHttpObserver;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java client → the bridge → grpc-java server, cleartext prior-knowledge h2 on both legs: the call shapes of
 * {@link GrpcCalls}, and what the bridge records of them.
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
    void tenThousandServerStreamedMessagesArriveInOrder() {
        GrpcCalls.serverStreamsInOrder(channel, 10_000);
    }

    @Test
    void clientStreamedMessagesAllReachTheServer() throws Exception {
        GrpcCalls.clientStreamIsTallied(channel);
    }

    @Test
    void bidiPingPongAlternatesThroughTheBridge() throws Exception {
        GrpcCalls.bidiPingPongs(channel);
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWayIntact() {
        GrpcCalls.bigMessageEchoes(channel);
    }

    @Test
    void anErrorStatusWithCustomTrailersArrivesIntact() throws Exception {
        GrpcCalls.errorStatusKeepsItsTrailers(channel);

        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isNull();
    }

    @Test
    void aClientCancelReachesTheServerAsACancellation() throws Exception {
        GrpcCalls.clientCancelReachesTheServer(channel, origin);

        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("client_reset");
    }

    @Test
    void anExceededDeadlineCancelsTheCallOnTheServer() throws Exception {
        if (GrpcCalls.deadlineCancelsTheCallAtTheServer(channel, origin)) {
            assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("client_reset");
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
