package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * A TLS client and server handler, each on its own {@link EmbeddedChannel}, with their flights carried across by
 * hand: a handshake with no sockets, which a test can step through, stop, or break into. A failed handshake's
 * exception is kept off the test: read it from the handler's {@code handshakeFuture()}.
 */
final class EmbeddedTlsPair {
    private static final int MAX_ROUNDS = 10;

    final SslHandler client;
    final SslHandler server;
    final EmbeddedChannel clientSide;
    final EmbeddedChannel serverSide;

    EmbeddedTlsPair(SslHandler client, SslHandler server) {
        this.client = client;
        this.server = server;
        clientSide = new EmbeddedChannel(client, new IgnoreFailures());
        serverSide = new EmbeddedChannel(server, new IgnoreFailures());
    }

    /** Flights both ways until both handshakes are over, one way or the other. */
    void run() {
        for (int round = 0; round < MAX_ROUNDS && !done(); round++) {
            step();
        }
    }

    /** One flight each way. */
    void step() {
        toServer();
        toClient();
    }

    /** Whatever the client wrote, delivered to the server. */
    void toServer() {
        pump(clientSide, serverSide);
    }

    /** Whatever the server wrote, delivered to the client. */
    void toClient() {
        pump(serverSide, clientSide);
    }

    /** Whatever the server wrote, thrown away: the client never hears it. */
    void dropServerFlight() {
        for (ByteBuf out; (out = serverSide.readOutbound()) != null; ) {
            out.release();
        }
    }

    boolean done() {
        return client.handshakeFuture().isDone() && server.handshakeFuture().isDone();
    }

    void close() {
        clientSide.finishAndReleaseAll();
        serverSide.finishAndReleaseAll();
    }

    /** A side that failed its handshake has closed its channel; what still reaches it is dropped. */
    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf out; (out = from.readOutbound()) != null; ) {
            if (to.isOpen()) {
                to.writeInbound(out);
            } else {
                out.release();
            }
        }
    }

    /** The handshake's outcome is what tests read; the exception the pipeline also carries would fail the next write. */
    private static final class IgnoreFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        }
    }
}
