package dev.sluice.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client-side TLS toward origins: one {@code SslContext} per distinct ALPN list a client offered (and per
 * verification mode, and per whether a certificate request ends the handshake), built on first use and kept in a
 * bounded cache, since contexts are costly and clients offer few distinct lists. Thread-safe.
 */
public final class UpstreamTlsContexts {
    /** Real clients offer a handful of lists; past this many a new one is refused ({@link BoundedContexts}). */
    static final int MAX_CONTEXTS = 256;

    private final SslProvider provider;
    private final TrustManagerFactory trust;
    private final BoundedContexts<Key> contexts = new BoundedContexts<>(MAX_CONTEXTS, "ALPN offer lists");

    private record Key(List<String> alpn, boolean verify, boolean detectCertificateRequest) {
    }

    /** @param trust what a verified origin's chain must end in ({@code tls.upstreamTrust}) */
    public UpstreamTlsContexts(SslProvider provider, TrustManagerFactory trust) {
        this.provider = provider;
        this.trust = trust;
    }

    /**
     * A client {@code SslHandler} for one upstream connection. {@code host} is the client's SNI, or the CONNECT host
     * when it sent none: it goes out as SNI when it is a name (never for an IP literal) and, with {@code verify},
     * the origin's certificate must name it and chain to the trust anchors. The handler has no handshake timeout of
     * its own: {@code timeouts.tlsHandshake} bounds the whole bump.
     *
     * @param alpn                     exactly the client's ALPN offers, in its order; empty for no ALPN extension
     * @param detectCertificateRequest whether an origin asking for a client certificate fails the handshake with
     *                                 {@link ClientCertificateRequested} in its causes (the bump may then splice);
     *                                 without it the handshake goes on and Sluice presents no certificate
     * @throws IllegalStateException when no context can be built for these offers, or {@link #MAX_CONTEXTS}
     *                               other lists were seen first
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, List<String> alpn, boolean verify,
                                 boolean detectCertificateRequest) {
        SslContext context = contexts.get(new Key(List.copyOf(alpn), verify, detectCertificateRequest), this::build);
        SslHandler handler = context.newHandler(alloc, host, port);
        handler.setHandshakeTimeoutMillis(0);
        return handler;
    }

    private SslContext build(Key key) {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .keyManager(key.detectCertificateRequest()
                            ? new KeyManagerFactoryWrapper(CertificateRequestDetector.INSTANCE) : null)
                    .trustManager(key.verify() ? trust : InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(key.verify() ? "HTTPS" : null)
                    .applicationProtocolConfig(AlpnConfigs.offering(key.alpn()))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build an upstream TLS context for ALPN " + key.alpn(), e);
        }
    }
}
