package dev.sluice.http1;

import dev.sluice.config.LimitsConfig;
import dev.sluice.config.TimeoutsConfig;
import dev.sluice.grpc.CallGate;
import dev.sluice.testing.LoopbackPairServer;
import dev.sluice.testing.RecordingHttpObserver;
import dev.sluice.testing.SluiceFixture;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bumped connection without TLS: a {@link LoopbackPairServer} that hands each client and its origin connection to
 * {@link BumpedHttp1Relay}, as the bump does after both handshakes. Clients talk to it as to the origin.
 */
final class BumpedRelayHarness implements AutoCloseable {
    static final Duration PATIENCE = SluiceFixture.PATIENCE;

    /** One per paired client connection, in order. */
    final BlockingQueue<RecordingHttpObserver> observers = new LinkedBlockingQueue<>();
    /** The harness's side of every paired client connection, in order. */
    private final BlockingQueue<Channel> clientChannels = new LinkedBlockingQueue<>();
    private final LoopbackPairServer server;

    BumpedRelayHarness(int originPort, Duration idleTimeout) throws InterruptedException {
        this(originPort, idleTimeout, TimeoutsConfig.DEFAULTS.requestHeader(), CallGate.ALLOW_ALL);
    }

    /** With requests whose path names a call decided by {@code callGate}. */
    BumpedRelayHarness(int originPort, Duration idleTimeout, CallGate callGate) throws InterruptedException {
        this(originPort, idleTimeout, TimeoutsConfig.DEFAULTS.requestHeader(), callGate);
    }

    /** With a request head due {@code requestHeader} after its first byte. */
    BumpedRelayHarness(int originPort, Duration idleTimeout, Duration requestHeader, CallGate callGate)
            throws InterruptedException {
        server = new LoopbackPairServer(originPort, (client, upstream) -> {
            clientChannels.add(client);
            RecordingHttpObserver observer = new RecordingHttpObserver();
            observers.add(observer);
            // Clients reach the harness by its address (LoopbackPairServer.url).
            BumpedHttp1Relay.start(client, upstream, idleTimeout, requestHeader,
                    DecoderLimits.requests(LimitsConfig.DEFAULTS), "127.0.0.1", callGate, observer);
        });
    }

    InetSocketAddress address() {
        return server.address();
    }

    String url(String path) {
        return server.url(path);
    }

    /** The observer of the next client connection, once the harness has paired it. */
    RecordingHttpObserver observer() throws InterruptedException {
        return poll(observers, "a paired connection");
    }

    Channel clientChannel() throws InterruptedException {
        return poll(clientChannels, "a paired client connection");
    }

    private static <T> T poll(BlockingQueue<T> queue, String what) throws InterruptedException {
        T next = queue.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no " + what + " within " + PATIENCE);
        }
        return next;
    }

    @Override
    public void close() {
        server.close();
    }
}
