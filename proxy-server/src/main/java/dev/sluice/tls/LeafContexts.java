package dev.sluice.tls;

import dev.sluice.certs.LeafCertificate;
import dev.sluice.observe.Metrics;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The client-facing TLS server contexts of one minted leaf, one per ALPN outcome the upstream may choose, so the
 * client is offered exactly that protocol. {@code h2}, {@code http/1.1} and none are built with the leaf (on a
 * mint thread, by {@link dev.sluice.certs.LeafCache}); any other protocol is built on first use. Thread-safe.
 */
public final class LeafContexts {
    /** Other protocols kept per leaf; past this a context is built per use (clients agree on few protocols). */
    static final int MAX_OTHER_PROTOCOLS = 8;

    private final LeafCertificate leaf;
    private final SslProvider provider;
    private final SslContext h2;
    private final SslContext http1;
    private final SslContext none;
    private final Map<String, SslContext> others = new ConcurrentHashMap<>();

    public LeafContexts(LeafCertificate leaf, SslProvider provider) {
        this.leaf = leaf;
        this.provider = provider;
        this.h2 = build(List.of(Metrics.PROTOCOL_H2));
        this.http1 = build(List.of(Metrics.PROTOCOL_HTTP1));
        this.none = build(List.of());
    }

    /**
     * The context offering exactly {@code alpn} (null: no ALPN).
     *
     * @throws IllegalStateException when a context for an unusual protocol cannot be built
     */
    public SslContext forProtocol(String alpn) {
        if (alpn == null) {
            return none;
        }
        return switch (alpn) {
            case Metrics.PROTOCOL_H2 -> h2;
            case Metrics.PROTOCOL_HTTP1 -> http1;
            default -> {
                SslContext cached = others.get(alpn);
                if (cached != null) {
                    yield cached;
                }
                SslContext built = build(List.of(alpn));
                yield others.size() < MAX_OTHER_PROTOCOLS ? others.computeIfAbsent(alpn, a -> built) : built;
            }
        };
    }

    private SslContext build(List<String> alpn) {
        try {
            return SslContextBuilder.forServer(leaf.key(), leaf.chain())
                    .sslProvider(provider)
                    .applicationProtocolConfig(AlpnConfigs.offering(alpn))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS server context for " + leaf.certificate()
                    .getSubjectX500Principal() + " with ALPN " + alpn, e);
        }
    }
}
