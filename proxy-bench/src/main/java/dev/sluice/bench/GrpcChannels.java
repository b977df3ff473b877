package dev.sluice.bench;

import io.grpc.HttpConnectProxiedSocketAddress;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * grpc-java channels to the bench's gRPC origin under a bench host name, straight or through grpc-java's own HTTP
 * CONNECT proxy support; both run callbacks on the transport thread (direct executor), as a client built for load
 * does, and differ only in the first hop and the CA they trust.
 */
final class GrpcChannels {
    private GrpcChannels() {
    }

    /** To {@code origin} itself, with {@code host} as the authority (SNI and the certificate check). */
    static ManagedChannel direct(InetSocketAddress origin, String host, X509Certificate anchor) throws SSLException {
        return tls(NettyChannelBuilder.forAddress(origin), anchor)
                .overrideAuthority(host + ":" + origin.getPort())
                .proxyDetector(target -> null)
                .build();
    }

    /** To {@code host:port} through {@code proxy}; the proxy resolves the name, so the bench never looks it up. */
    static ManagedChannel through(InetSocketAddress proxy, String host, int port, X509Certificate anchor)
            throws SSLException {
        return tls(NettyChannelBuilder.forAddress(host, port), anchor)
                .proxyDetector(target -> HttpConnectProxiedSocketAddress.newBuilder()
                        .setTargetAddress(InetSocketAddress.createUnresolved(host, port))
                        .setProxyAddress(proxy)
                        .build())
                .build();
    }

    private static NettyChannelBuilder tls(NettyChannelBuilder builder, X509Certificate anchor) throws SSLException {
        return builder.sslContext(GrpcSslContexts.forClient().trustManager(anchor).build()).directExecutor();
    }
}
