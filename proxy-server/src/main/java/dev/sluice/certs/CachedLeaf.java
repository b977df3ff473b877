package dev.sluice.certs;

/**
 * What {@link LeafCache} hands out for one (host, upstream certificate): the minted leaf and what was built from it
 * once, off the event loop, by the cache's {@code prepare} function (for bumping: the server {@code SslContext}).
 */
public record CachedLeaf<T>(LeafCertificate leaf, T context) {
}
