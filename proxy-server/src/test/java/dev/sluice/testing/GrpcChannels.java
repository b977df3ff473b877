package dev.sluice.testing;

import io.grpc.HttpConnectProxiedSocketAddress;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/** grpc-java channels that reach {@link TestPki#ORIGIN_HOST} through Sluice with grpc-java's own CONNECT support. */
public final class GrpcChannels {
    private GrpcChannels() {
    }

    /**
     * A TLS channel to {@code origin.test:port} via the proxy, trusting only {@code trusted}. The target stays a name,
     * which Sluice resolves through its {@code hosts:} override.
     */
    public static ManagedChannel throughProxy(InetSocketAddress proxy, int port, X509Certificate... trusted) {
        try {
            return builder(proxy, port).sslContext(GrpcSslContexts.forClient().trustManager(trusted).build()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a client TLS context", e);
        }
    }

    /** What {@link #throughProxy} builds on, for a test that sets up the client's TLS (or its address) itself. */
    public static NettyChannelBuilder builder(InetSocketAddress proxy, int port) {
        return builder(proxy, TestPki.ORIGIN_HOST, port);
    }

    /** As {@link #builder(InetSocketAddress, int)}, to {@code host:port}: a name or an IP literal. */
    public static NettyChannelBuilder builder(InetSocketAddress proxy, String host, int port) {
        return NettyChannelBuilder.forAddress(host, port)
                .proxyDetector(target -> HttpConnectProxiedSocketAddress.newBuilder()
                        .setTargetAddress(InetSocketAddress.createUnresolved(host, port))
                        .setProxyAddress(proxy)
                        .build())
                .maxInboundMessageSize(GrpcEchoServer.MAX_MESSAGE_BYTES);
    }

    /** Shuts a channel down and waits for it; null is fine. */
    public static void close(ManagedChannel channel) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
