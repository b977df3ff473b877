package dev.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A minted leaf is a working server certificate: a TLS server built from it (JDK TLS and BoringSSL) completes a
 * handshake over loopback with a client that trusts nothing but Sluice's CA and checks the host name.
 */
class LeafHandshakeTest {
    private static final int TIMEOUT_MS = 30_000;

    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static LeafCertificate leaf;
    static EventLoopGroup group;

    @BeforeAll
    static void mint() throws Exception {
        ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        leaf = new LeafMinter(ca, Duration.ofDays(7)).mint("api.example.com",
                List.of(SubjectAltName.forHost("example.com")), Instant.now().plus(Duration.ofDays(30)));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void aClientTrustingOnlyTheCaCompletesTheHandshake(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL (netty-tcnative) not loadable here");
        Channel server = serve(provider);
        try (SSLSocket socket = connect(server, "api.example.com")) {
            socket.startHandshake();

            assertThat(new String(socket.getInputStream().readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("ok");
            Certificate[] seen = socket.getSession().getPeerCertificates();
            assertThat(seen).containsExactly(leaf.certificate(), ca.certificate());
            assertThat(SubjectAltName.of((X509Certificate) seen[0])).contains(SubjectAltName.forHost("api.example.com"));
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    @Test
    void aNameTheLeafDoesNotCarryIsRefusedByTheClient() throws Exception {
        Channel server = serve(SslProvider.JDK);
        try (SSLSocket socket = connect(server, "elsewhere.example.org")) {
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("elsewhere.example.org");
        } finally {
            server.close().syncUninterruptibly();
        }
    }

    /** A server that answers "ok" once its handshake completes, then closes. */
    private static Channel serve(SslProvider provider) throws Exception {
        SslContext context = SslContextBuilder.forServer(leaf.key(), leaf.chain()).sslProvider(provider).build();
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                                    ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "ok"))
                                            .addListener(ChannelFutureListener.CLOSE);
                                }
                                ctx.fireUserEventTriggered(event);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // the refused-name case ends in a client alert
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** A JDK client whose only trust anchor is Sluice's CA, sending {@code host} as SNI and checking it as HTTPS does. */
    private static SSLSocket connect(Channel server, String host) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("sluice-ca", ca.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Socket tcp = new Socket("127.0.0.1", port);
        tcp.setSoTimeout(TIMEOUT_MS);
        // Layered over a loopback socket but named for the host, as a client of a proxy tunnel would be.
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }
}
