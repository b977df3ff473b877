package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On SIGTERM a bumped HTTP/2 client hears GOAWAY (NO_ERROR): its in-flight call finishes, and the connection closes
 * when it has, long before the drain deadline.
 */
@Timeout(90)
class BumpedH2DrainTest {
    @Test
    void anInFlightCallFinishesAndTheConnectionClosesAfterIt() throws Exception {
        SluiceFixture sluice = SluiceFixture.builder().tls().yaml("default: bump\ntimeouts: {drain: 2m}").start();
        Thread stopping = new Thread(sluice::close, "test-sigterm");
        try (GrpcEchoServer origin = GrpcEchoServer.start()) {
            ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), origin.port(),
                    sluice.ca().certificate());
            try {
                GrpcCalls.Replies pongs = new GrpcCalls.Replies();
                StreamObserver<byte[]> pings = ClientCalls.asyncBidiStreamingCall(
                        channel.newCall(GrpcEchoServer.PING_PONG, GrpcCalls.options()), pongs);
                pings.onNext(GrpcEchoServer.intMessage(1));
                assertThat(GrpcEchoServer.intOf(pongs.next())).isEqualTo(1);

                stopping.start();
                awaitNotReady(sluice);

                pings.onNext(GrpcEchoServer.intMessage(2));
                assertThat(GrpcEchoServer.intOf(pongs.next())).as("the call goes on while draining").isEqualTo(2);
                pings.onCompleted();
                pongs.awaitCompleted();

                stopping.join(SluiceFixture.PATIENCE.toMillis());
                assertThat(stopping.isAlive()).as("the drain ended with the call, long before its deadline")
                        .isFalse();
            } finally {
                GrpcChannels.close(channel);
            }
        } finally {
            sluice.close();
            stopping.join();
        }
    }

    private static void awaitNotReady(SluiceFixture sluice) throws Exception {
        URI readyz = URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/readyz");
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        while (http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() != 503) {
            assertThat(System.nanoTime()).as("/readyz answers 503").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
