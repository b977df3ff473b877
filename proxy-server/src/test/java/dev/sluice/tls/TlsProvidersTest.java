package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.config.TlsConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

class TlsProvidersTest {
    @Test
    void jdkIsAlwaysHonoured() {
        assertThat(TlsProviders.choose(TlsConfig.Provider.JDK)).isEqualTo(SslProvider.JDK);
    }

    @Test
    void autoAndOpensslPickBoringSslWhereItLoads() {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL not loadable here");

        assertThat(TlsProviders.choose(TlsConfig.Provider.AUTO)).isEqualTo(SslProvider.OPENSSL);
        assertThat(TlsProviders.choose(TlsConfig.Provider.OPENSSL)).isEqualTo(SslProvider.OPENSSL);
    }
}
