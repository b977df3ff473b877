package dev.sluice.e2e;

import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import io.grpc.ManagedChannel;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every gRPC call shape must survive through Sluice, whether it splices or bumps: unary, streaming each way,
 * big messages, deadlines, cancellation, error statuses with trailing metadata, and many calls at once on one
 * channel. One Sluice, origin and channel serve a class's tests; subclasses say how Sluice is configured and which
 * CA the client trusts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GrpcCallsContract {
    SluiceFixture sluice;
    GrpcEchoServer origin;
    /** A channel through {@link #sluice} to {@link #origin}, shared by the class's tests. */
    ManagedChannel channel;

    abstract SluiceFixture startSluice();

    /** The CA of the certificate the client is shown for the origin (called once {@link #sluice} runs). */
    abstract X509Certificate trustedByClient();

    @BeforeAll
    void start() {
        sluice = startSluice();
        origin = GrpcEchoServer.start();
        channel = newChannel();
    }

    @AfterAll
    void stop() throws InterruptedException {
        GrpcChannels.close(channel);
        if (origin != null) origin.close();
        if (sluice != null) sluice.close();
    }

    /** Another channel like {@link #channel}, with its own connection; the caller closes it. */
    ManagedChannel newChannel() {
        return GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(), trustedByClient());
    }

    @Test
    void unaryCallReturnsTheEcho() {
        GrpcCalls.unaryEchoes(channel, "hello gRPC");
    }

    @Test
    void serverStreamingDeliversTenThousandMessagesInOrder() {
        GrpcCalls.serverStreamsInOrder(channel, 10_000);
    }

    @Test
    void clientStreamingDeliversEveryMessage() throws Exception {
        GrpcCalls.clientStreamIsTallied(channel);
    }

    @Test
    void bidiStreamingPingPongsInLockstep() throws Exception {
        GrpcCalls.bidiPingPongs(channel);
    }

    @Test
    void aSixteenMebibyteMessageCrossesEachWay() {
        GrpcCalls.bigMessageEchoes(channel);
    }

    @Test
    void anErrorStatusAndItsCustomTrailersReachTheClientIntact() {
        GrpcCalls.errorStatusKeepsItsTrailers(channel);
    }

    @Test
    void anExceededDeadlineFailsTheCallAndCancelsItAtTheServer() throws InterruptedException {
        GrpcCalls.deadlineCancelsTheCallAtTheServer(channel, origin);
    }

    @Test
    void aClientCancelReachesTheServer() throws InterruptedException {
        GrpcCalls.clientCancelReachesTheServer(channel, origin);
    }

    @Test
    void aHundredConcurrentCallsShareOneChannel() throws Exception {
        GrpcCalls.aHundredConcurrentEchoes(channel);
    }
}
