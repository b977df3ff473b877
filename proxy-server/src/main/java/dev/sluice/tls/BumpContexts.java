package dev.sluice.tls;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCache;
import dev.sluice.certs.LeafMinter;
import dev.sluice.certs.UpstreamTrustAnchors;
import dev.sluice.config.TlsConfig;
import dev.sluice.observe.Metrics;
import io.netty.handler.ssl.SslProvider;

/**
 * What every bump of one server shares, built once at start from {@code tls:}: the provider, upstream client
 * contexts (trusting {@code tls.upstreamTrust}) and the leaf cache with each leaf's server contexts.
 */
public final class BumpContexts implements AutoCloseable {
    private final SslProvider provider;
    private final UpstreamTlsContexts upstream;
    private final LeafCache<LeafContexts> leaves;

    private BumpContexts(SslProvider provider, UpstreamTlsContexts upstream, LeafCache<LeafContexts> leaves) {
        this.provider = provider;
        this.upstream = upstream;
        this.leaves = leaves;
    }

    /**
     * @throws IllegalStateException    when {@code provider: openssl} cannot be honoured
     * @throws IllegalArgumentException when an {@code upstreamTrust} file cannot be read
     */
    public static BumpContexts create(TlsConfig tls, CertificateAuthority ca, Metrics metrics) {
        SslProvider provider = TlsProviders.choose(tls.provider());
        UpstreamTlsContexts upstream;
        try {
            upstream = new UpstreamTlsContexts(provider, UpstreamTrustAnchors.load(tls.upstreamTrust()));
        } catch (CaException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        LeafCache<LeafContexts> leaves = new LeafCache<>(new LeafMinter(ca, tls.leaf().maxValidity()), tls.leaf(),
                leaf -> new LeafContexts(leaf, provider), metrics::leafMintNanos);
        metrics.leafCache(leaves::hits, leaves::misses, leaves::size);
        return new BumpContexts(provider, upstream, leaves);
    }

    public SslProvider provider() {
        return provider;
    }

    public UpstreamTlsContexts upstream() {
        return upstream;
    }

    public LeafCache<LeafContexts> leaves() {
        return leaves;
    }

    @Override
    public void close() {
        leaves.close();
    }
}
