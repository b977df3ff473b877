package dev.sluice.http2;

import dev.sluice.config.H2LimitsConfig;
import dev.sluice.grpc.CallGate;
import dev.sluice.testing.LoopbackPairServer;
import dev.sluice.testing.OkHttpClients;
import dev.sluice.testing.RecordingHttpObserver;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestPki;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLException;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * A proxy that is only the bridge: a {@link LoopbackPairServer} that hands each client and its origin connection to
 * {@link H2Bridge#start} with a {@link RecordingHttpObserver}. Cleartext prior-knowledge h2 on both legs, or TLS with
 * ALPN h2 on both (the client is shown the test PKI's origin certificate, the origin must present one).
 */
final class BridgeHarness implements AutoCloseable {
    static final Duration PATIENCE = SluiceFixture.PATIENCE;

    /** One per bridged client connection, in the order they started. */
    final List<RecordingHttpObserver> observers = new CopyOnWriteArrayList<>();

    private final OkHttpClients okHttpClients = new OkHttpClients();
    private final Duration idleTimeout;
    private final CallGate callGate;
    private final boolean grpcCallView;
    private final H2LimitsConfig h2;
    private final SslContext clientTls;
    private final SslContext upstreamTls;
    private final LoopbackPairServer server;

    private BridgeHarness(int originPort, Duration idleTimeout, boolean tls, CallGate callGate, boolean grpcCallView,
                          H2LimitsConfig h2) throws Exception {
        this.idleTimeout = idleTimeout;
        this.h2 = h2;
        this.callGate = callGate;
        this.grpcCallView = grpcCallView;
        this.clientTls = tls ? clientTls() : null;
        this.upstreamTls = tls ? upstreamTls() : null;
        server = new LoopbackPairServer(originPort, tls ? this::handshakeBoth : this::bridge);
    }

    static BridgeHarness cleartext(int originPort) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, false, CallGate.ALLOW_ALL, true, H2LimitsConfig.DEFAULTS);
    }

    static BridgeHarness cleartext(int originPort, Duration idleTimeout) throws Exception {
        return new BridgeHarness(originPort, idleTimeout, false, CallGate.ALLOW_ALL, true, H2LimitsConfig.DEFAULTS);
    }

    /** Cleartext, with gRPC calls decided by {@code callGate}. */
    static BridgeHarness cleartext(int originPort, CallGate callGate) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, false, callGate, true, H2LimitsConfig.DEFAULTS);
    }

    /** With the per-call gRPC view off ({@code grpc.callView: false}). */
    static BridgeHarness cleartextWithoutCallView(int originPort) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, false, CallGate.ALLOW_ALL, false, H2LimitsConfig.DEFAULTS);
    }

    /** Cleartext, with {@code limits.h2} set to {@code h2}. */
    static BridgeHarness cleartext(int originPort, H2LimitsConfig h2) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, false, CallGate.ALLOW_ALL, true, h2);
    }

    static BridgeHarness tls(int originPort) throws Exception {
        return new BridgeHarness(originPort, PATIENCE, true, CallGate.ALLOW_ALL, true, H2LimitsConfig.DEFAULTS);
    }

    int port() {
        return server.address().getPort();
    }

    /** OkHttp speaking prior-knowledge h2 to the bridge. */
    OkHttpClient okHttp() {
        return okHttpClients.create(builder -> builder.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)));
    }

    String url(String path) {
        return server.url(path);
    }

    /** The observer of the only bridge so far. */
    RecordingHttpObserver onlyObserver() {
        if (observers.size() != 1) {
            throw new AssertionError("expected one bridged connection, saw " + observers.size());
        }
        return observers.get(0);
    }

    private void handshakeBoth(Channel client, Channel upstream) {
        SslHandler upstreamSsl = upstreamTls.newHandler(upstream.alloc(), TestPki.ORIGIN_HOST,
                ((InetSocketAddress) upstream.remoteAddress()).getPort());
        SslHandler clientSsl = clientTls.newHandler(client.alloc());
        upstream.pipeline().addLast("tls", upstreamSsl).addLast(EarlyBytes.NAME, new EarlyBytes());
        client.pipeline().addLast("tls", clientSsl).addLast(EarlyBytes.NAME, new EarlyBytes());
        upstream.read();
        client.read();
        upstreamSsl.handshakeFuture().addListener(up -> clientSsl.handshakeFuture().addListener(down -> {
            if (up.isSuccess() && down.isSuccess()) {
                bridge(client, upstream);
            } else {
                client.close();
                upstream.close();
            }
        }));
    }

    private void bridge(Channel client, Channel upstream) {
        RecordingHttpObserver observer = new RecordingHttpObserver();
        observers.add(observer);
        // Every client of the harness connects to it by address, with or without TLS.
        H2Bridge.start(client, upstream, new BridgeSettings(idleTimeout, "127.0.0.1", callGate, grpcCallView, h2),
                observer);
    }

    /** A TLS server context presenting the test PKI's origin certificate, ALPN h2 only. */
    static SslContext clientTls() throws SSLException {
        TestPki pki = TestPki.get();
        return SslContextBuilder.forServer(pki.server().keyPair().getPrivate(), pki.server().certificate())
                .sslProvider(SslProvider.JDK).applicationProtocolConfig(h2Only()).build();
    }

    private static SslContext upstreamTls() throws SSLException {
        return SslContextBuilder.forClient().trustManager(TestPki.get().caCertificate())
                .sslProvider(SslProvider.JDK).applicationProtocolConfig(h2Only()).build();
    }

    private static ApplicationProtocolConfig h2Only() {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2);
    }

    @Override
    public void close() {
        okHttpClients.close();
        server.close();
    }
}
