package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.certs.LeafCertificate;
import dev.sluice.certs.LeafMinter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A handshake is offered the leaf lent under its engine's token, and nothing once that leaf is given back. */
class LeafKeyManagerTest {
    @TempDir
    static Path dir;
    static LeafCertificate alpha;
    static LeafCertificate beta;
    static SSLContext engines;

    @BeforeAll
    static void mint() throws Exception {
        LeafMinter minter = new LeafMinter(CertificateAuthority.generate(dir.resolve("ca.crt"),
                dir.resolve("ca.key"), false), Duration.ofDays(7));
        alpha = minter.mint("alpha.example", List.of(), Instant.now().plus(Duration.ofDays(30)));
        beta = minter.mint("beta.example", List.of(), Instant.now().plus(Duration.ofDays(30)));
        engines = SSLContext.getInstance("TLS");
        engines.init(null, null, null);
    }

    private final LeafKeyManager keys = new LeafKeyManager();

    @Test
    void eachEngineGetsTheLeafLentUnderItsToken() {
        String alphaToken = keys.lend(alpha);
        String betaToken = keys.lend(beta);

        String alphaAlias = keys.chooseEngineServerAlias("EC", null, engine(alphaToken));
        String betaAlias = keys.chooseEngineServerAlias("EC", null, engine(betaToken));

        assertThat(keys.getCertificateChain(alphaAlias)).containsExactly(alpha.chain());
        assertThat(keys.getCertificateChain(betaAlias)).containsExactly(beta.chain());
        assertThat(keys.getPrivateKey(alphaAlias)).isEqualTo(alpha.key());
    }

    @Test
    void lendingOneLeafTwiceGivesTwoTokens() {
        assertThat(keys.lend(alpha)).isNotEqualTo(keys.lend(alpha));
        assertThat(keys.lentCount()).isEqualTo(2);
    }

    @Test
    void anEngineWithoutALentTokenGetsNoLeaf() {
        String token = keys.lend(alpha);
        keys.giveBack(token);

        assertThat(keys.chooseEngineServerAlias("EC", null, engine(token))).isNull();
        assertThat(keys.chooseEngineServerAlias("EC", null, engine("alpha.example"))).isNull();
        assertThat(keys.chooseEngineServerAlias("EC", null, engines.createSSLEngine())).isNull();
        assertThat(keys.getCertificateChain(token)).isNull();
        assertThat(keys.getPrivateKey(token)).isNull();
        assertThat(keys.lentCount()).isZero();
    }

    @Test
    void aLeafIsChosenOnlyForItsKeyType() {
        String token = keys.lend(alpha);

        assertThat(keys.chooseEngineServerAlias("RSA", null, engine(token))).isNull();
        assertThat(keys.chooseServerAlias("EC", null, null)).as("sockets carry no token").isNull();
    }

    private static SSLEngine engine(String peerHost) {
        return engines.createSSLEngine(peerHost, -1);
    }
}
