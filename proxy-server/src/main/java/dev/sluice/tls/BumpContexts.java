package dev.sluice.tls;

import dev.sluice.certs.CaException;
import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCache;
import dev.sluice.certs.LeafMinter;
import dev.sluice.certs.UpstreamTrustAnchors;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.config.TlsConfig;
import dev.sluice.observe.Metrics;
import dev.sluice.passthrough.PassthroughRegistry;
import io.netty.handler.ssl.SslProvider;

/**
 * What every bump of one server shares, built once at start from {@code tls:} for one provider: upstream client
 * contexts (trusting {@code tls.upstreamTrust}), the client-facing server contexts, the leaf cache, and what
 * automatic passthrough ({@code passthrough:}) has learned about bumps that would break.
 */
public final class BumpContexts implements AutoCloseable {
    private final UpstreamTlsContexts upstream;
    private final ClientFacingTlsContexts clientFacing;
    private final LeafCache leaves;
    private final PassthroughRegistry passthrough;
    /** What the leaves are minted with: a reload with the same CA and leaf settings keeps the cache. */
    private final LeafSource leafSource;

    private record LeafSource(String caFingerprint, TlsConfig.Leaf settings) {
    }

    private BumpContexts(UpstreamTlsContexts upstream, ClientFacingTlsContexts clientFacing,
                         LeafCache leaves, PassthroughRegistry passthrough, LeafSource leafSource) {
        this.upstream = upstream;
        this.clientFacing = clientFacing;
        this.leaves = leaves;
        this.passthrough = passthrough;
        this.leafSource = leafSource;
    }

    /**
     * @throws IllegalStateException    when {@code provider: openssl} cannot be honoured, or no server context can
     *                                  be built
     * @throws IllegalArgumentException when an {@code upstreamTrust} file cannot be read
     */
    public static BumpContexts create(TlsConfig tls, PassthroughConfig passthrough, CertificateAuthority ca,
                                      Metrics metrics) {
        return create(tls, ca, metrics, new PassthroughRegistry(passthrough, metrics), null);
    }

    /**
     * For a reload: new contexts around what automatic passthrough learned ({@code previous}'s registry). The leaf
     * cache of {@code previous} is kept when the CA and {@code tls.leaf} are the same; otherwise a new, empty one
     * is made, so no leaf of another CA (or minted under other limits) is ever served.
     */
    public static BumpContexts reloaded(TlsConfig tls, CertificateAuthority ca, Metrics metrics,
                                        BumpContexts previous) {
        return create(tls, ca, metrics, previous.passthrough, previous);
    }

    private static BumpContexts create(TlsConfig tls, CertificateAuthority ca, Metrics metrics,
                                       PassthroughRegistry passthrough, BumpContexts previous) {
        SslProvider provider = TlsProviders.choose(tls.provider());
        UpstreamTlsContexts upstream;
        try {
            upstream = new UpstreamTlsContexts(provider, UpstreamTrustAnchors.load(tls.upstreamTrust()));
        } catch (CaException e) {
            throw new IllegalArgumentException("tls.upstreamTrust: " + e.getMessage(), e);
        }
        ClientFacingTlsContexts clientFacing = new ClientFacingTlsContexts(provider, ca.certificate());
        LeafSource leafSource = new LeafSource(ca.sha256Fingerprint(), tls.leaf());
        if (previous != null && previous.leafSource.equals(leafSource)) {
            return new BumpContexts(upstream, clientFacing, previous.leaves, passthrough, leafSource);
        }
        LeafCache leaves = new LeafCache(new LeafMinter(ca, tls.leaf().maxValidity()), tls.leaf(),
                metrics::leafMintNanos);
        metrics.leafCache(leaves::hits, leaves::misses, leaves::size);
        return new BumpContexts(upstream, clientFacing, leaves, passthrough, leafSource);
    }

    public UpstreamTlsContexts upstream() {
        return upstream;
    }

    public ClientFacingTlsContexts clientFacing() {
        return clientFacing;
    }

    public LeafCache leaves() {
        return leaves;
    }

    /** Whether {@code other} mints with the same leaf cache (a reload kept it). */
    public boolean sharesLeaves(BumpContexts other) {
        return other != null && other.leaves == leaves;
    }

    /** Drops this leaf cache, unless {@code replacement} (the contexts a reload made) kept it. */
    public void retireFor(BumpContexts replacement) {
        if (!sharesLeaves(replacement)) {
            leaves.discard();
        }
    }

    public PassthroughRegistry passthrough() {
        return passthrough;
    }

    @Override
    public void close() {
        leaves.close();
    }
}
