package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.config.TlsConfig;
import dev.sluice.observe.Metrics;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload keeps of the bump contexts: the passthrough registry always, the leaf cache only for the same CA. */
class BumpContextsTest {
    @TempDir
    Path dir;
    private final Metrics metrics = Metrics.create();

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void aReloadWithTheSameCaAndLeafSettingsKeepsTheLeafCache() throws Exception {
        CertificateAuthority ca = ca("same");
        BumpContexts started = BumpContexts.create(TlsConfig.DEFAULTS, PassthroughConfig.DEFAULTS, ca, metrics);

        BumpContexts reloaded = BumpContexts.reloaded(TlsConfig.DEFAULTS, ca, metrics, started);

        assertThat(reloaded.sharesLeaves(started)).isTrue();
        assertThat(reloaded.passthrough()).isSameAs(started.passthrough());
        started.close();
    }

    @Test
    void anotherCaOrOtherLeafSettingsGetANewLeafCacheButKeepWhatPassthroughLearned() throws Exception {
        CertificateAuthority ca = ca("old");
        BumpContexts started = BumpContexts.create(TlsConfig.DEFAULTS, PassthroughConfig.DEFAULTS, ca, metrics);
        TlsConfig shorterLeaves = new TlsConfig(true, TlsConfig.Ca.DEFAULTS,
                new TlsConfig.Leaf(Duration.ofDays(1), 2048, Duration.ofHours(1)), TlsConfig.UpstreamTrust.DEFAULTS,
                TlsConfig.Provider.AUTO);

        BumpContexts newCa = BumpContexts.reloaded(TlsConfig.DEFAULTS, ca("new"), metrics, started);
        BumpContexts newLimits = BumpContexts.reloaded(shorterLeaves, ca, metrics, started);

        assertThat(newCa.sharesLeaves(started)).isFalse();
        assertThat(newLimits.sharesLeaves(started)).isFalse();
        assertThat(newCa.passthrough()).isSameAs(started.passthrough());
        started.close();
        newCa.close();
        newLimits.close();
    }

    private CertificateAuthority ca(String name) throws Exception {
        return CertificateAuthority.generate(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), false);
    }
}
