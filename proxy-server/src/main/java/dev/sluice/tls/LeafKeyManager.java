package dev.sluice.tls;

import dev.sluice.certs.LeafCertificate;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of every client-facing server context: it hands each handshake the leaf of its own bump. A bump
 * {@link #lend lends} its leaf for the length of its handshake and gets a token, which its engine carries as its
 * peer host ({@code SslContext.newEngine(alloc, token, port)}); the alias chosen for an engine is that token, and
 * the chain and key for an alias are those of the leaf lent under it. An engine whose token is not (or no longer)
 * lent gets no alias, so its handshake fails rather than be served some other bump's leaf. Tokens are never
 * reused and never come from the network. Both providers ask through the engine (JDK TLS directly, BoringSSL via
 * Netty's non-caching key material provider, per handshake). Thread-safe.
 */
final class LeafKeyManager extends X509ExtendedKeyManager {
    private static final String TOKEN_PREFIX = "sluice-bump-";

    private final Map<String, LeafCertificate> lent = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();

    /** Lends {@code leaf} to one handshake until {@link #giveBack}; returns the token its engine must carry. */
    String lend(LeafCertificate leaf) {
        String token = TOKEN_PREFIX + tokens.incrementAndGet();
        lent.put(token, leaf);
        return token;
    }

    void giveBack(String token) {
        lent.remove(token);
    }

    /** Leaves lent now: one per bump handshake in flight. */
    int lentCount() {
        return lent.size();
    }

    /** {@code keyType} is what the handshake can use ("EC", "RSA", ...): only a leaf with such a key qualifies. */
    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        String token = engine == null ? null : engine.getPeerHost();
        LeafCertificate leaf = lentUnder(token);
        return leaf != null && leaf.key().getAlgorithm().equals(keyType) ? token : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        LeafCertificate leaf = lentUnder(alias);
        return leaf == null ? null : leaf.chain();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        LeafCertificate leaf = lentUnder(alias);
        return leaf == null ? null : leaf.key();
    }

    private LeafCertificate lentUnder(String alias) {
        return alias == null ? null : lent.get(alias);
    }

    /** Bumps use engines only; a socket cannot carry a token. */
    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    /** Sluice never presents a client certificate with these contexts. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
