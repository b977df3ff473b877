package dev.sluice.tls;

import dev.sluice.certs.LeafCertificate;
import dev.sluice.observe.Metrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Client-facing TLS for bumps: one server {@code SslContext} per ALPN outcome the upstream may choose, so the
 * client is offered exactly that protocol, shared by every bump of the server whatever its leaf. Building a
 * context is what costs (tens of ms), so none is built per leaf: {@code h2}, {@code http/1.1} and none are built
 * here at start, any other protocol on first use and kept, at most {@link #MAX_OTHER_PROTOCOLS} of them. Each handshake is served its
 * own bump's leaf by {@link LeafKeyManager}. The contexts trust only Sluice's CA and never ask for a client
 * certificate, so nothing loads the JDK's default trust store. Thread-safe.
 */
public final class ClientFacingTlsContexts {
    /** Clients and origins agree on few protocols; past this many a new one is refused ({@link BoundedContexts}). */
    static final int MAX_OTHER_PROTOCOLS = 8;
    /** The engine's peer port means nothing here: its peer host is a {@link LeafKeyManager} token. */
    private static final int NO_PORT = -1;

    private final SslProvider provider;
    private final X509Certificate ca;
    private final LeafKeyManager leaves = new LeafKeyManager();
    private final SslContext h2;
    private final SslContext http1;
    private final SslContext none;
    private final BoundedContexts<String> others = new BoundedContexts<>(MAX_OTHER_PROTOCOLS, "unusual ALPN protocols");

    /**
     * @param ca Sluice's CA certificate, what every leaf chains to
     * @throws IllegalStateException when the contexts cannot be built with this provider
     */
    public ClientFacingTlsContexts(SslProvider provider, X509Certificate ca) {
        this.provider = provider;
        this.ca = ca;
        this.h2 = build(List.of(Metrics.PROTOCOL_H2));
        this.http1 = build(List.of(Metrics.PROTOCOL_HTTP1));
        this.none = build(List.of());
    }

    /**
     * A server {@code SslHandler} for one bump's client: it presents {@code leaf} (with Sluice's CA) and offers
     * exactly {@code alpn}. The leaf is lent to its handshake and given back when the handshake completes, fails,
     * or the handler goes away before it ends, so the handler must be added to a pipeline. The handler has no
     * handshake timeout of its own: {@code timeouts.tlsHandshake} bounds the whole bump.
     *
     * @param alpn the protocol the origin chose; null for no ALPN
     * @throws IllegalStateException when a context for an unusual protocol cannot be built
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String alpn, LeafCertificate leaf) {
        SslContext context = forProtocol(alpn);
        String token = leaves.lend(leaf);
        SslHandler handler;
        try {
            handler = context.newHandler(alloc, token, NO_PORT);
        } catch (RuntimeException e) {
            leaves.giveBack(token);
            throw e;
        }
        handler.handshakeFuture().addListener(done -> leaves.giveBack(token));
        handler.setHandshakeTimeoutMillis(0);
        return handler;
    }

    /** Bump handshakes holding a leaf now. */
    int handshakesInFlight() {
        return leaves.lentCount();
    }

    private SslContext forProtocol(String alpn) {
        if (alpn == null) {
            return none;
        }
        return switch (alpn) {
            case Metrics.PROTOCOL_H2 -> h2;
            case Metrics.PROTOCOL_HTTP1 -> http1;
            default -> others.get(alpn, other -> build(List.of(other)));
        };
    }

    private SslContext build(List<String> alpn) {
        try {
            // A plain factory, not OpenSslCachingX509KeyManagerFactory: BoringSSL must ask for the leaf per handshake.
            return SslContextBuilder.forServer(new KeyManagerFactoryWrapper(leaves))
                    .sslProvider(provider)
                    .trustManager(ca)
                    .clientAuth(ClientAuth.NONE)
                    .applicationProtocolConfig(AlpnConfigs.offering(alpn))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a client-facing TLS context with ALPN " + alpn, e);
        }
    }
}
