package dev.sluice.front;

import dev.sluice.config.Action;
import dev.sluice.passthrough.PassthroughReason;
import dev.sluice.policy.ConnectionFacts;
import dev.sluice.policy.Decision;
import dev.sluice.policy.TlsFacts;
import dev.sluice.tls.ClientHello;
import dev.sluice.tls.ClientHelloPeek;
import dev.sluice.tls.ClientHelloResult;
import dev.sluice.tls.TlsAlert;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CONNECT whose decision needs the client's ClientHello (a bump, or a rule matching {@code sni}/{@code alpn}):
 * answers {@code 200} at once, reads the first flight with {@link ClientHelloPeek} (reads held), asks
 * {@link dev.sluice.policy.Policy#decideTls} for the final decision and acts on it: deny with an
 * {@code access_denied} alert, splice by replaying the flight to a fresh upstream connection ({@link FlightSplice}),
 * or bump with {@link BumpTunnel} unless automatic passthrough remembers that this bump would break. {@code timeouts.tlsHandshake} bounds the wait for the ClientHello.
 */
final class PeekedConnect {
    private static final Logger log = LoggerFactory.getLogger(PeekedConnect.class);

    private final FrontServices services;
    private final HttpFrontHandler front;
    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final Authority target;
    private final Decision provisional;
    private Channel client;
    private ClientHelloPeek peek;
    private ScheduledFuture<?> timer;
    private long answeredNanos;

    PeekedConnect(FrontServices services, HttpFrontHandler front, ChannelHandlerContext ctx, Exchange exchange,
                  Authority target, Decision provisional) {
        this.services = services;
        this.front = front;
        this.ctx = ctx;
        this.exchange = exchange;
        this.target = target;
        this.provisional = provisional;
    }

    void open() {
        client = ctx.channel();
        if (!client.isActive() || ctx.isRemoved()) {
            services.finish(exchange, 0, provisional, "client_closed", 0, 0);
            return;
        }
        List<ByteBuf> early = front.takeEarlyBytes();
        TunnelStart.answerAndStrip(ctx, services, exchange);
        answeredNanos = System.nanoTime();
        timer = client.eventLoop().schedule(this::timedOut, services.timeouts().tlsHandshake().toNanos(),
                TimeUnit.NANOSECONDS);
        peek = new ClientHelloPeek(early, this::peeked);
        client.pipeline().addLast("peek", peek);
    }

    private void timedOut() {
        if (peek == null) {
            return;
        }
        client.pipeline().remove(peek);
        peek = null;
        log.debug("CONNECT {}: no ClientHello within {} ms", target, services.timeouts().tlsHandshake().toMillis());
        endWithoutClientHello("handshake_timeout");
    }

    /** No final decision was reached: the provisional one is what is counted and logged. */
    private void endWithoutClientHello(String reason) {
        services.metrics().decision(provisional.action(), provisional.rule());
        if (provisional.action() == Action.BUMP) {
            services.metrics().bumpFailed(reason);
        }
        client.close();
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), provisional, reason, 0, 0);
    }

    private void peeked(ClientHelloResult result, ByteBuf flight) {
        client.pipeline().remove(peek);
        peek = null;
        timer.cancel(false);
        if (result.kind() == ClientHelloResult.Kind.NEED_MORE) {
            flight.release();
            endWithoutClientHello("client_closed");
            return;
        }
        ClientHello hello = result.clientHello();
        TlsFacts facts = hello == null ? TlsFacts.NONE : new TlsFacts(hello.serverName(), hello.alpnProtocols());
        ConnectionFacts connection = new ConnectionFacts(exchange.clientAddress(), target.host(), target.port());
        Decision decision = services.policy().decideTls(connection, facts);
        services.metrics().decision(decision.action(), decision.rule());
        String sni = hello == null ? null : hello.serverName();
        switch (decision.action()) {
            case DENY -> deny(decision, sni, flight);
            case SPLICE -> FlightSplice.start(services, client, exchange, target, decision, hello != null, sni, flight);
            case BUMP -> {
                if (hello == null) {
                    refuseBump(decision, result, flight);
                } else if (!passedThrough(decision, connection, facts, sni, flight)) {
                    new BumpTunnel(services, client, exchange, target, decision, hello, answeredNanos).start(flight);
                }
            }
        }
    }

    /**
     * A bump that automatic passthrough remembers would break (an mTLS origin, a client network refusing Sluice's
     * leaves for this name) is spliced at once: no upstream TLS is tried, no leaf minted. Refusing leaves splices
     * nothing where a call rule may deny calls ({@link dev.sluice.policy.Policy#mayDenyCalls}): a splice is never
     * call-checked, so the client would have switched the rule off for itself.
     */
    private boolean passedThrough(Decision bump, ConnectionFacts connection, TlsFacts tls, String sni,
                                  ByteBuf flight) {
        if (!bump.autoPassthrough()) {
            return false;
        }
        // Without a client address the registry answers for mTLS origins only.
        InetAddress refusing = services.policy().mayDenyCalls(connection, tls) ? null : exchange.clientAddress();
        PassthroughReason reason = services.bump().passthrough().remembered(refusing, target.host(),
                target.port(), sni != null ? sni : target.host());
        if (reason == null) {
            return false;
        }
        FlightSplice.passThrough(services, client, exchange, target, bump, sni, flight, reason);
        return true;
    }

    private void deny(Decision decision, String sni, ByteBuf flight) {
        flight.release();
        log.debug("CONNECT {} (SNI {}) denied by rule {}", target, sni, decision.rule());
        client.writeAndFlush(TlsAlert.fatal(client.alloc(), TlsAlert.ACCESS_DENIED))
                .addListener(ChannelFutureListener.CLOSE);
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, null, 0, 0, null, sni);
    }

    /** A bump needs a ClientHello to mirror; a client that sent something else is closed. */
    private void refuseBump(Decision decision, ClientHelloResult result, ByteBuf flight) {
        flight.release();
        String reason = switch (result.kind()) {
            case NOT_TLS -> "not_tls";
            case TOO_LARGE -> "client_hello_too_large";
            default -> "malformed_client_hello";
        };
        log.debug("CONNECT {}: cannot bump, first flight is {}{}", target, reason,
                result.reason() == null ? "" : " (" + result.reason() + ")");
        services.metrics().bumpFailed(reason);
        client.close();
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, reason, 0, 0);
    }
}
