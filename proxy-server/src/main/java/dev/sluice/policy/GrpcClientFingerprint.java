package dev.sluice.policy;

import java.util.List;

/**
 * The {@code grpcClient: true} predicate: a client whose ALPN offers include {@code h2} or {@code grpc-exp} and not
 * {@code http/1.1}. grpc-java, grpc-go, grpc-core (C++, Python, Ruby, C#) and grpc-js offer exactly that (gRPC needs
 * HTTP/2, so they never offer HTTP/1.1); browsers, curl, OkHttp and the JDK HttpClient offer {@code http/1.1}
 * beside {@code h2}. False positives: any h2-only client (e.g. {@code curl --http2-prior-knowledge} over TLS,
 * h2load, some service-mesh sidecars) looks like gRPC too.
 */
public final class GrpcClientFingerprint {
    private GrpcClientFingerprint() {
    }

    public static boolean matches(List<String> alpnOffers) {
        return (alpnOffers.contains("h2") || alpnOffers.contains("grpc-exp")) && !alpnOffers.contains("http/1.1");
    }
}
