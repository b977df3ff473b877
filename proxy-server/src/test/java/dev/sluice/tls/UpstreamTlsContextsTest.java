package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.sluice.testing.TestPki;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ClientHello Sluice sends an origin mirrors the client's: its SNI, and exactly its ALPN list. Where a bump may
 * splice instead, an origin asking for a client certificate in the first handshake ends it with that reason, whatever
 * the provider and TLS version; elsewhere, and in a later renegotiation, Sluice presents no certificate and the
 * handshake goes on.
 */
class UpstreamTlsContextsTest {
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void offersExactlyTheClientsAlpnListInItsOrderWithItsSni(SslProvider provider) throws Exception {
        ClientHello sent = firstFlight(provider, "api.example.com", List.of("grpc-exp", "h2", "http/1.1"));

        assertThat(sent.serverName()).isEqualTo("api.example.com");
        assertThat(sent.alpnProtocols()).containsExactly("grpc-exp", "h2", "http/1.1");
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void aClientWithoutAlpnMeansNoAlpnExtensionUpstream(SslProvider provider) throws Exception {
        assertThat(firstFlight(provider, "api.example.com", List.of()).alpnProtocols()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void anIpLiteralHostIsNeverSentAsSni(SslProvider provider) throws Exception {
        assertThat(firstFlight(provider, "192.0.2.7", List.of("h2")).serverName()).isNull();
    }

    @ParameterizedTest(name = "Sluice on {0}, {1}, client auth {2}")
    @CsvSource({
            "JDK, TLSv1.3, REQUIRE", "JDK, TLSv1.2, REQUIRE", "JDK, TLSv1.3, OPTIONAL", "JDK, TLSv1.2, OPTIONAL",
            "OPENSSL, TLSv1.3, REQUIRE", "OPENSSL, TLSv1.2, REQUIRE", "OPENSSL, TLSv1.3, OPTIONAL",
            "OPENSSL, TLSv1.2, OPTIONAL"})
    void anOriginAskingForAClientCertificateEndsTheHandshakeSayingSo(SslProvider provider, String protocol,
                                                                     ClientAuth clientAuth) throws Exception {
        EmbeddedTlsPair handshake = toOrigin(provider, protocol, clientAuth, true);
        try {
            handshake.run();

            assertThat(handshake.client.handshakeFuture().isSuccess()).isFalse();
            assertThat(UpstreamTlsFailure.classify(handshake.client.handshakeFuture().cause()))
                    .isEqualTo(UpstreamTlsFailure.CLIENT_CERTIFICATE);
        } finally {
            handshake.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void anOriginThatAsksForNoCertificateIsNotTakenForOne(SslProvider provider) throws Exception {
        assertBothHandshakesSucceed(toOrigin(provider, "TLSv1.3", ClientAuth.NONE, true));
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void withoutDetectionSluicePresentsNoCertificateAndAnOriginThatMerelyWantsOneGoesOn(SslProvider provider)
            throws Exception {
        assertBothHandshakesSucceed(toOrigin(provider, "TLSv1.3", ClientAuth.OPTIONAL, false));
    }

    /**
     * IIS and Apache ask for a certificate per path, by renegotiating a TLS 1.2 connection long after its handshake.
     * No splice can follow any more: Sluice presents no certificate and the connection carries on for the origin to
     * decide. (BoringSSL under Netty sends its part of the renegotiation only once the client writes again; here the
     * client's next request does that.)
     */
    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void aCertificateRequestInALaterRenegotiationGetsNoCertificateAndTheConnectionCarriesOn(SslProvider provider)
            throws Exception {
        EmbeddedTlsPair connection = toOrigin(provider, "TLSv1.2", ClientAuth.NONE, true);
        try {
            Future<Channel> renegotiated = renegotiateAskingForACertificate(connection);
            connection.clientSide.writeOutbound(Unpooled.copiedBuffer("GET /secure", StandardCharsets.US_ASCII));
            for (int round = 0; round < 10 && !renegotiated.isDone(); round++) {
                connection.step();
            }
            connection.toServer();

            assertThat(renegotiated.isSuccess()).as("the origin's renegotiation: %s", renegotiated.cause()).isTrue();
            ByteBuf request = connection.serverSide.readInbound();
            try {
                assertThat(request.toString(StandardCharsets.US_ASCII)).isEqualTo("GET /secure");
            } finally {
                request.release();
            }
        } finally {
            connection.close();
        }
    }

    /**
     * Completes the first handshake, then has the origin renegotiate, wanting a client certificate, and carries the
     * flights as long as they come.
     */
    private static Future<Channel> renegotiateAskingForACertificate(EmbeddedTlsPair connection) {
        connection.run();
        assertThat(connection.client.handshakeFuture().isSuccess()).isTrue();
        SSLEngine origin = connection.server.engine();
        // Without the session's cipher suite the origin cannot resume it: a full handshake, with the request.
        String established = origin.getSession().getCipherSuite();
        origin.setEnabledCipherSuites(Arrays.stream(origin.getEnabledCipherSuites())
                .filter(suite -> !suite.equals(established)).toArray(String[]::new));
        origin.setWantClientAuth(true);
        Future<Channel> renegotiated = connection.server.renegotiate();
        for (int round = 0; round < 10 && !renegotiated.isDone() && connection.clientSide.isOpen(); round++) {
            connection.step();
        }
        return renegotiated;
    }

    private static void assertBothHandshakesSucceed(EmbeddedTlsPair handshake) {
        try {
            handshake.run();

            assertThat(handshake.client.handshakeFuture().isSuccess()).isTrue();
            assertThat(handshake.server.handshakeFuture().isSuccess()).isTrue();
        } finally {
            handshake.close();
        }
    }

    /** Sluice's handler (no verification: the point is the certificate request) facing a JDK TLS origin. */
    private static EmbeddedTlsPair toOrigin(SslProvider provider, String protocol, ClientAuth clientAuth,
                                            boolean detect) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
        TestPki pki = TestPki.get();
        SslHandler origin = SslContextBuilder.forServer(pki.server().keyPair().getPrivate(),
                        pki.server().certificate())
                .sslProvider(SslProvider.JDK).protocols(protocol)
                .trustManager(pki.caCertificate()).clientAuth(clientAuth)
                .build().newHandler(ByteBufAllocator.DEFAULT);
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(provider, InsecureTrustManagerFactory.INSTANCE);
        return new EmbeddedTlsPair(contexts.newHandler(ByteBufAllocator.DEFAULT, TestPki.ORIGIN_HOST, 443,
                List.of("h2"), false, detect), origin);
    }

    private static ClientHello firstFlight(SslProvider provider, String host, List<String> alpn) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL not loadable here");
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        UpstreamTlsContexts contexts = new UpstreamTlsContexts(provider, trust);
        EmbeddedChannel channel = new EmbeddedChannel(
                contexts.newHandler(ByteBufAllocator.DEFAULT, host, 443, alpn, true, false));
        try {
            ByteBuf hello = channel.readOutbound();
            try {
                ClientHelloResult result = new ClientHelloParser().parse(hello);
                assertThat(result.kind()).isEqualTo(ClientHelloResult.Kind.PARSED);
                return result.clientHello();
            } finally {
                hello.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
