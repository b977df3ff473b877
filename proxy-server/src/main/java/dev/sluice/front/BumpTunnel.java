package dev.sluice.front;

import dev.sluice.certs.LeafCertificate;
import dev.sluice.config.HostNames;
import dev.sluice.http1.BumpedHttp1Relay;
import dev.sluice.http1.DecoderLimits;
import dev.sluice.grpc.CallGate;
import dev.sluice.http2.BridgeSettings;
import dev.sluice.http2.H2Bridge;
import dev.sluice.observe.Metrics;
import dev.sluice.passthrough.PassthroughReason;
import dev.sluice.passthrough.PassthroughRegistry;
import dev.sluice.policy.ConnectionFacts;
import dev.sluice.policy.Decision;
import dev.sluice.policy.TlsFacts;
import dev.sluice.relay.TcpRelay;
import dev.sluice.tls.BumpContexts;
import dev.sluice.tls.ClientHello;
import dev.sluice.tls.HandshakeWatch;
import dev.sluice.tls.LeafRefusal;
import dev.sluice.tls.TlsAlert;
import dev.sluice.tls.UpstreamTlsFailure;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bump, upstream first: TLS to the origin with the client's SNI and exactly its ALPN offers, verified against
 * {@code tls.upstreamTrust}; then a leaf for (SNI, origin certificate) from the cache; then the client's buffered
 * ClientHello replayed into a TLS server offering exactly the origin's ALPN choice (the server's shared context for
 * that choice, lent this bump's leaf for the handshake); then both legs go to the relay for that protocol. An
 * origin that fails verification gets no leaf: the client gets an alert ({@link UpstreamTlsFailure}), or, a gRPC
 * client, its calls answered {@code UNAVAILABLE} ({@link UpstreamFailureAnswer}). Everything from the CONNECT
 * {@code 200} to both handshakes done is bounded by {@code timeouts.tlsHandshake}. Client reads stay held throughout. Runs on the client's event loop.
 *
 * <p>Automatic passthrough, unless the rule says {@code autoPassthrough: false}: an origin that asks for a client
 * certificate ends the upstream handshake there; that attempt is abandoned and the held ClientHello goes to a fresh
 * upstream connection in a splice ({@link FlightSplice}), and the origin is remembered. A client that refuses the
 * minted leaf (an alert about it, or a close after Sluice's ServerHello flight) is counted against its network and
 * server name ({@link PassthroughRegistry}).
 */
final class BumpTunnel {
    private static final Logger log = LoggerFactory.getLogger(BumpTunnel.class);
    private static final int NO_ALERT = -1;

    private final FrontServices services;
    private final BumpContexts contexts;
    private final Channel client;
    private final Exchange exchange;
    private final Authority target;
    private final Decision decision;
    private final ClientHello hello;
    private final long answeredNanos;
    /** The SNI, or the CONNECT host when the client sent none: what the origin must be and the leaf will name. */
    private final String host;
    private final PassthroughRegistry passthrough;
    /** Whether an origin asking for a client certificate turns this bump into a splice. */
    private final boolean mtlsPassthrough;
    private ByteBuf flight;
    private ScheduledFuture<?> timer;
    private SslHandler upstreamTls;
    private Channel upstream;
    private HandshakeWatch upstreamWatch;
    private SslHandler clientTls;
    private HandshakeWatch clientWatch;
    private String alpn;
    private boolean clientHandshaken;
    /** Failed, or handed over to a relay: nothing more happens here. */
    private boolean over;
    /** Removed at hand-over, so the connection does not keep this setup state alive. */
    private final GenericFutureListener<Future<Void>> clientClosed = closed -> fail("client_closed", NO_ALERT);

    BumpTunnel(FrontServices services, Channel client, Exchange exchange, Authority target, Decision decision,
               ClientHello hello, long answeredNanos) {
        this.services = services;
        this.contexts = services.bump();
        this.client = client;
        this.exchange = exchange;
        this.target = target;
        this.decision = decision;
        this.hello = hello;
        this.answeredNanos = answeredNanos;
        this.host = hello.serverName() != null ? hello.serverName() : target.host();
        this.passthrough = contexts.passthrough();
        this.mtlsPassthrough = decision.autoPassthrough() && passthrough.mtlsEnabled();
    }

    /** @param flight the client's first flight, its ClientHello; owned here from now on */
    void start(ByteBuf flight) {
        this.flight = flight;
        long left = services.timeouts().tlsHandshake().toNanos() - (System.nanoTime() - answeredNanos);
        timer = client.eventLoop().schedule(() -> fail("handshake_timeout", NO_ALERT), Math.max(0, left),
                TimeUnit.NANOSECONDS);
        client.closeFuture().addListener(clientClosed);
        try {
            upstreamTls = contexts.upstream().newHandler(client.alloc(), host, target.port(), hello.alpnProtocols(),
                    decision.verifyUpstream(), mtlsPassthrough);
        } catch (RuntimeException e) {
            log.info("bump {} ({}): {}", target, host, e.getMessage());
            fail(UpstreamTlsFailure.HANDSHAKE.reason(), UpstreamTlsFailure.HANDSHAKE.alert());
            return;
        }
        upstreamWatch = new HandshakeWatch(this::upstreamHandshaken,
                () -> fail("upstream_closed", TlsAlert.HANDSHAKE_FAILURE));
        Future<Channel> connect = services.connector().connect(client.eventLoop(), target.host(), target.port(),
                decision, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        upstream = ch;
                        ch.pipeline().addLast("tls", upstreamTls).addLast("bump", upstreamWatch);
                    }
                });
        connect.addListener(done -> {
            if (!connect.isSuccess()) {
                connectFailed(connect.cause());
            } else if (over) {
                connect.getNow().close();
            }
        });
    }

    private void connectFailed(Throwable cause) {
        if (upstream == null) {
            ReferenceCountUtil.release(upstreamTls.engine()); // never reached a pipeline that would release it
        }
        String reason = UpstreamFailure.of(cause).metricReason();
        log.debug("bump {}: upstream connect failed: {}", target, cause.getMessage());
        fail(reason, TlsAlert.INTERNAL_ERROR);
    }

    private void upstreamHandshaken(Throwable failure) {
        if (over) {
            return;
        }
        if (failure != null) {
            UpstreamTlsFailure why = UpstreamTlsFailure.classify(failure);
            if (why == UpstreamTlsFailure.CLIENT_CERTIFICATE && mtlsPassthrough) {
                spliceForClientCertificate();
                return;
            }
            log.info("bump {} ({}): upstream TLS refused, {}: {}", target, host, why.reason(), deepestMessage(failure));
            fail(why.reason(), why.alert());
            return;
        }
        alpn = upstreamTls.applicationProtocol();
        X509Certificate origin;
        try {
            Certificate[] chain = upstreamTls.engine().getSession().getPeerCertificates();
            origin = (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            log.info("bump {} ({}): the origin presented no X.509 certificate", target, host);
            fail(UpstreamTlsFailure.HANDSHAKE.reason(), UpstreamTlsFailure.HANDSHAKE.alert());
            return;
        }
        contexts.leaves().get(host, origin).whenComplete((leaf, error) -> onLoop(() -> leafReady(leaf, error)));
    }

    /** Leaf futures complete on a mint thread; channels are touched only on their own loop. */
    private void onLoop(Runnable task) {
        try {
            client.eventLoop().execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            log.debug("event loop gone before the leaf for {} arrived", host);
        }
    }

    private void leafReady(LeafCertificate leaf, Throwable error) {
        if (over) {
            return;
        }
        clientTls = ClientTlsSteps.handler(contexts.clientFacing(), client, alpn, leaf, error, target, host);
        if (clientTls == null) {
            // e.g. an origin certificate past its date (let through by verifyUpstream: false) cannot be stood in for
            fail("leaf_unavailable", TlsAlert.INTERNAL_ERROR);
            return;
        }
        clientWatch = new HandshakeWatch(this::clientHandshaken, this::clientClosedAfterServerHello);
        ClientTlsSteps.replay(client, clientTls, clientWatch, flight);
        flight = null;
    }

    private void clientHandshaken(Throwable failure) {
        if (over) {
            return;
        }
        if (failure != null) {
            // Typically a client that does not trust Sluice's CA; it has said so with an alert.
            log.debug("bump {} ({}): client TLS handshake failed: {}", target, host, deepestMessage(failure));
            LeafRefusal refusal = LeafRefusal.of(failure);
            if (refusal != null) {
                refused(refusal);
            }
            fail(refusal == LeafRefusal.CLOSED ? "client_closed" : "client_handshake", NO_ALERT);
            return;
        }
        clientHandshaken = true;
        // Not inside the SslHandler's event: let it finish its read before the pipelines change hands.
        onLoop(this::handOver);
    }

    /**
     * The client closed (or half-closed) without an alert once Sluice's ServerHello flight was out: a refusal, unless
     * its handshake had completed. A full close usually arrives first, as a handshake failure.
     */
    private void clientClosedAfterServerHello() {
        if (!over && !clientHandshaken) {
            refused(LeafRefusal.CLOSED);
        }
        fail("client_closed", NO_ALERT);
    }

    /** Not learned where a call rule may deny calls: the splice it would lead to is never call-checked. */
    private void refused(LeafRefusal refusal) {
        if (over || !decision.autoPassthrough()) {
            return;
        }
        if (services.policy().mayDenyCalls(connectionFacts(), tlsFacts())) {
            log.debug("bump {} ({}): refused leaf ({}) not learned: a call rule may deny calls here", target, host,
                    refusal.label());
            return;
        }
        passthrough.clientRefusedLeaf(exchange.clientAddress(), host, target.port(), refusal.label());
    }

    /**
     * The origin asked for a client certificate: this upstream attempt is dropped before any leaf is minted, the
     * origin remembered, and the ClientHello the client sent goes to a fresh upstream connection, so the client's
     * own certificate authenticates end to end.
     */
    private void spliceForClientCertificate() {
        over = true;
        timer.cancel(false);
        client.closeFuture().removeListener(clientClosed);
        upstream.close();
        services.metrics().bumpFailed(UpstreamTlsFailure.CLIENT_CERTIFICATE.reason());
        passthrough.originAskedForCertificate(target.host(), target.port());
        ByteBuf replay = flight;
        flight = null;
        FlightSplice.passThrough(services, client, exchange, target, decision, hello.serverName(), replay,
                PassthroughReason.MTLS);
    }

    private void handOver() {
        if (over) {
            return;
        }
        if (!Objects.equals(alpn, clientTls.applicationProtocol())) {
            // Clients refuse a protocol they did not offer; should one not, no relay may misread its bytes.
            log.info("bump {} ({}): client negotiated {} but the origin {}", target, host,
                    clientTls.applicationProtocol(), alpn);
            fail("alpn_mismatch", NO_ALERT);
            return;
        }
        over = true;
        timer.cancel(false);
        client.closeFuture().removeListener(clientClosed);
        services.metrics().bumpSucceeded(alpn, System.nanoTime() - answeredNanos);
        services.metrics().connectionOpened(Metrics.KIND_BUMP);
        List<ByteBuf> fromClient = clientWatch.takeHeld();
        List<ByteBuf> fromUpstream = upstreamWatch.takeHeld();
        client.pipeline().remove(clientWatch);
        upstream.pipeline().remove(upstreamWatch);
        BumpObserver observer = new BumpObserver(services, exchange, decision, target,
                alpn == null ? Metrics.PROTOCOL_NONE : alpn, hello.serverName());
        Duration idle = services.timeouts().idleTunnel();
        String named = HostNames.normalize(host);
        if (alpn == null || alpn.equals(Metrics.PROTOCOL_HTTP1)) {
            BumpedHttp1Relay.start(client, upstream, idle, services.timeouts().requestHeader(),
                    DecoderLimits.requests(services.limits()), named, callGate(), observer);
        } else if (alpn.equals(Metrics.PROTOCOL_H2) || alpn.equals("grpc-exp")) {
            H2Bridge.start(client, upstream, new BridgeSettings(idle, named, callGate(), services.grpc().callView(),
                    services.limits().h2()), observer);
        } else {
            TcpRelay.start(client, upstream, idle, List.of(), observer);
        }
        ClientTlsSteps.deliver(client, fromClient);
        ClientTlsSteps.deliver(upstream, fromUpstream);
    }

    /** Call rules see this connection's CONNECT and ClientHello facts, and the call's service and method. */
    private CallGate callGate() {
        if (!services.policy().hasCallRules()) {
            return CallGate.ALLOW_ALL;
        }
        ConnectionFacts facts = connectionFacts();
        TlsFacts tls = tlsFacts();
        return (service, method) -> services.policy().decideCall(facts, tls, service, method);
    }

    private ConnectionFacts connectionFacts() {
        return new ConnectionFacts(exchange.clientAddress(), target.host(), target.port());
    }

    private TlsFacts tlsFacts() {
        return new TlsFacts(hello.serverName(), hello.alpnProtocols());
    }

    private void fail(String reason, int alert) {
        if (over) {
            return;
        }
        over = true;
        if (timer != null) {
            timer.cancel(false);
        }
        services.metrics().bumpFailed(reason);
        if (upstream != null) {
            upstream.close();
        }
        boolean alertOwed = alert != NO_ALERT && clientTls == null;
        if (alertOwed && UpstreamFailureAnswer.answer(services, client, exchange, target, decision, hello, host, reason,
                alert, flight)) {
            flight = null;
            return;
        }
        if (flight != null) {
            flight.release();
            flight = null;
        }
        if (alertOwed && client.isActive()) {
            client.writeAndFlush(TlsAlert.fatal(client.alloc(), alert)).addListener(ChannelFutureListener.CLOSE);
        } else {
            client.close();
        }
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, reason, 0, 0, null, hello.serverName());
    }

    private static String deepestMessage(Throwable failure) {
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        return deepest.getMessage() == null ? deepest.toString() : deepest.getMessage();
    }
}
