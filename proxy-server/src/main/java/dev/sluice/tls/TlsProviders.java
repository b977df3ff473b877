package dev.sluice.tls;

import dev.sluice.config.TlsConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Which TLS implementation bumps use, chosen once at start from {@code tls.provider}. */
public final class TlsProviders {
    private TlsProviders() {
    }

    /**
     * {@code auto}: BoringSSL (netty-tcnative) when it loads and supports ALPN, else the JDK's TLS; {@code openssl}
     * and {@code jdk} force one.
     *
     * @throws IllegalStateException for {@code openssl} when BoringSSL cannot be used here
     */
    public static SslProvider choose(TlsConfig.Provider configured) {
        return switch (configured) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!openSslUsable()) {
                    throw new IllegalStateException("tls.provider is openssl, but BoringSSL (netty-tcnative) "
                            + (OpenSsl.isAvailable() ? "lacks ALPN support" : "cannot be loaded: "
                            + OpenSsl.unavailabilityCause()) + "; use provider: auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> openSslUsable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    private static boolean openSslUsable() {
        return OpenSsl.isAvailable() && OpenSsl.isAlpnSupported();
    }
}
