package dev.sluice.http2;

import static dev.sluice.testing.GrpcEchoServer.intMessage;
import static dev.sluice.testing.GrpcEchoServer.intOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.testing.GrpcEchoServer;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** grpc-java client → the bridge → grpc-java server, cleartext prior-knowledge h2 on both legs. */
class H2BridgeGrpcTest {
    private static final String SERVICE = "sluice.test.Bridge";
    private static final MethodDescriptor<byte[], byte[]> COLLECT =
            GrpcEchoServer.method(SERVICE, "Collect", MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> REJECT =
            GrpcEchoServer.method(SERVICE, "Reject", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> HANG =
            GrpcEchoServer.method(SERVICE, "Hang", MethodDescriptor.MethodType.UNARY);
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<byte[]> BLOB = Metadata.Key.of("x-blob-bin", Metadata.BINARY_BYTE_MARSHALLER);

    private final CountDownLatch hangStarted = new CountDownLatch(1);
    private final CountDownLatch hangCancelled = new CountDownLatch(1);
    private GrpcEchoServer origin;
    private BridgeHarness bridge;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        origin = GrpcEchoServer.startPlaintext(bridgeService());
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
        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, CallOptions.DEFAULT,
                "hello".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("hello");
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
        List<ListenableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(ClientCalls.futureUnaryCall(channel.newCall(GrpcEchoServer.ECHO,
                    CallOptions.DEFAULT), intMessage(i)));
        }

        for (int i = 0; i < 100; i++) {
            assertThat(intOf(calls.get(i).get(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS))).isEqualTo(i);
        }
        RecordingHttpObserver observer = bridge.onlyObserver();
        assertThat(observer.awaitExchanges(100)).allSatisfy(exchange -> assertThat(exchange.error()).isNull());
    }

    @Test
    void tenThousandServerStreamedMessagesArriveInOrder() {
        Iterator<byte[]> replies = ClientCalls.blockingServerStreamingCall(channel, GrpcEchoServer.COUNT,
                CallOptions.DEFAULT, intMessage(10_000));

        int expected = 0;
        while (replies.hasNext()) {
            assertThat(intOf(replies.next())).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(10_000);
    }

    @Test
    void clientStreamedMessagesAllReachTheServer() throws Exception {
        Reply reply = new Reply();
        StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(COLLECT, CallOptions.DEFAULT), reply);
        for (int i = 0; i < 1000; i++) {
            requests.onNext(new byte[100]);
        }
        requests.onCompleted();

        assertThat(intOf(reply.await())).isEqualTo(100_000);
    }

    @Test
    void bidiPingPongAlternatesThroughTheBridge() throws Exception {
        BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        Reply done = new Reply();
        StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                channel.newCall(GrpcEchoServer.PING_PONG, CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        pongs.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.onError(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.onNext(new byte[0]);
                        done.onCompleted();
                    }
                });

        for (int i = 0; i < 200; i++) {
            pings.onNext(intMessage(i));
            byte[] pong = pongs.poll(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(pong).as("pong %d", i).isNotNull();
            assertThat(intOf(pong)).isEqualTo(i);
        }
        pings.onCompleted();
        done.await();
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWayIntact() {
        byte[] message = new byte[16 << 20];
        new Random(7).nextBytes(message);

        byte[] reply = ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, CallOptions.DEFAULT, message);

        assertThat(reply).isEqualTo(message);
    }

    @Test
    void anErrorStatusWithCustomTrailersArrivesIntact() throws Exception {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, REJECT, CallOptions.DEFAULT, new byte[1]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("not today: ünïcode");
                    assertThat(e.getTrailers().get(DETAIL)).isEqualTo("kept");
                    assertThat(e.getTrailers().get(BLOB)).containsExactly(0, 1, 2, (byte) 0xff);
                });
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isNull();
    }

    @Test
    void aClientCancelReachesTheServerAsACancellation() throws Exception {
        ClientCall<byte[], byte[]> call = channel.newCall(HANG, CallOptions.DEFAULT);
        Reply reply = new Reply();
        ClientCalls.asyncUnaryCall(call, new byte[1], reply);
        assertThat(hangStarted.await(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

        call.cancel("the test gave up", null);

        assertThat(hangCancelled.await(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the server saw the cancellation").isTrue();
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("client_reset");
    }

    @Test
    void anExceededDeadlineCancelsTheCallOnTheServer() throws Exception {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, HANG,
                CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), new byte[1]))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        assertThat(hangCancelled.await(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the server saw the cancellation").isTrue();
        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("client_reset");
    }

    @Test
    void everyStreamIsOpenedClosedAndReportedOnceAndTheConnectionOnceAtTheEnd() throws Exception {
        IntStream.range(0, 20).forEach(i ->
                ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, CallOptions.DEFAULT, intMessage(i)));
        RecordingHttpObserver observer = bridge.onlyObserver();
        observer.awaitExchanges(20);

        channel.shutdown();

        assertThat(observer.awaitClosed()).isNull();
        assertThat(observer.exchanges).hasSize(20);
        assertThat(observer.streamsOpened).hasValue(20);
        assertThat(observer.bytesUp).hasValue(20 * 9);
        assertThat(observer.bytesDown).hasValue(20 * 9);
    }

    private ServerServiceDefinition bridgeService() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(
                        (StreamObserver<byte[]> response) -> new StreamObserver<byte[]>() {
                    private final AtomicInteger bytes = new AtomicInteger();

                    @Override
                    public void onNext(byte[] value) {
                        bytes.addAndGet(value.length);
                    }

                    @Override
                    public void onError(Throwable t) {
                        // the client went away
                    }

                    @Override
                    public void onCompleted() {
                        response.onNext(intMessage(bytes.get()));
                        response.onCompleted();
                    }
                }))
                .addMethod(REJECT, ServerCalls.asyncUnaryCall((request, response) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, "kept");
                    trailers.put(BLOB, new byte[] {0, 1, 2, (byte) 0xff});
                    response.onError(Status.FAILED_PRECONDITION.withDescription("not today: ünïcode")
                            .asRuntimeException(trailers));
                }))
                .addMethod(HANG, ServerCalls.asyncUnaryCall((request, response) -> {
                    ((ServerCallStreamObserver<byte[]>) response).setOnCancelHandler(hangCancelled::countDown);
                    hangStarted.countDown();
                }))
                .build();
    }

    /** The single reply of a call, or its failure. */
    private static final class Reply implements StreamObserver<byte[]> {
        private final BlockingQueue<Object> outcome = new LinkedBlockingQueue<>();

        @Override
        public void onNext(byte[] value) {
            outcome.add(value);
        }

        @Override
        public void onError(Throwable t) {
            outcome.add(t);
        }

        @Override
        public void onCompleted() {
            // the reply came with onNext
        }

        byte[] await() throws Exception {
            Object result = outcome.poll(BridgeHarness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            if (result instanceof Throwable t) {
                throw new AssertionError("the call failed", t);
            }
            assertThat(result).as("a reply").isNotNull();
            return (byte[]) result;
        }
    }
}
