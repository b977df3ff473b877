package dev.sluice.bench;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * TLS for the bench's own HTTP/2 origin and client: ALPN {@code h2} only, BoringSSL (netty-tcnative) where it
 * loads, as a fast real client or server would use, else the JDK's TLS. Direct and proxied runs use the same.
 */
final class BenchTls {
    private static final ApplicationProtocolConfig H2_ONLY = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);

    private BenchTls() {
    }

    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    static SslContext server(BenchPki pki) throws SSLException {
        return h2(SslContextBuilder.forServer(pki.originKey(), pki.originChain()));
    }

    /** A client that trusts {@code anchor} only and checks the host name, as any HTTPS client does. */
    static SslContext client(X509Certificate anchor) throws SSLException {
        return h2(SslContextBuilder.forClient().trustManager(anchor).endpointIdentificationAlgorithm("HTTPS"));
    }

    private static SslContext h2(SslContextBuilder builder) throws SSLException {
        return builder.sslProvider(provider())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(H2_ONLY)
                .build();
    }
}
