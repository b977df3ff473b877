package dev.sluice.front;

import dev.sluice.certs.LeafCertificate;
import dev.sluice.grpc.GrpcAnswer;
import dev.sluice.http2.FailedUpstreamAnswerer;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.GrpcClientFingerprint;
import dev.sluice.tls.ClientHello;
import dev.sluice.tls.HandshakeWatch;
import dev.sluice.tls.TlsAlert;
import dev.sluice.tls.UpstreamTlsFailure;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bump that failed upstream (no connection, or the origin's TLS failed) before the client's handshake, for a client
 * whose ClientHello fingerprints as gRPC and offers {@code h2}: a TLS alert would reach it only as "UNAVAILABLE: io
 * exception", so instead its handshake is completed with a leaf naming the host alone (no origin certificate exists
 * to copy names from), {@code h2} is negotiated, and every call gets {@code UNAVAILABLE} with the reason
 * ({@link FailedUpstreamAnswerer}). Nothing is ever sent upstream. {@code timeouts.tlsHandshake} bounds the mint
 * and the handshake; should either fail, the client gets what it would have got anyway: the alert when no leaf
 * could be had, a close when its handshake failed. The connection is logged and counted with the bump's failure
 * reason, as without the answer.
 *
 * <p>A client refusing this leaf teaches automatic passthrough nothing: the leaf stood in for no origin, and learning
 * would splice the client's next connections to an origin Sluice could not reach or refused to trust.
 */
final class UpstreamFailureAnswer {
    private static final Logger log = LoggerFactory.getLogger(UpstreamFailureAnswer.class);
    /** The failures answered, by reason, with what {@code grpc-message} says of them. */
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(UpstreamFailure.CONNECT_REFUSED.metricReason(), "upstream connect refused"),
            Map.entry(UpstreamFailure.CONNECT_TIMEOUT.metricReason(), "upstream connect timed out"),
            Map.entry(UpstreamFailure.DNS_FAILURE.metricReason(), "upstream host name did not resolve"),
            Map.entry(UpstreamFailure.DESTINATION_DENIED.metricReason(), "upstream address not allowed"),
            Map.entry(UpstreamFailure.CONNECT_ERROR.metricReason(), "upstream connect failed"),
            Map.entry(UpstreamTlsFailure.UNTRUSTED.reason(), "upstream certificate not trusted"),
            Map.entry(UpstreamTlsFailure.EXPIRED.reason(), "upstream certificate expired or not yet valid"),
            Map.entry(UpstreamTlsFailure.HOSTNAME.reason(), "upstream certificate does not name the host"),
            Map.entry(UpstreamTlsFailure.HANDSHAKE.reason(), "upstream TLS handshake failed"),
            Map.entry(UpstreamTlsFailure.CLIENT_CERTIFICATE.reason(), "upstream requires a client certificate"),
            Map.entry("upstream_closed", "upstream closed the connection during the TLS handshake"));

    private final FrontServices services;
    private final Channel client;
    private final Exchange exchange;
    private final Authority target;
    private final Decision decision;
    private final String sni;
    private final String host;
    private final String reason;
    private final int alert;
    private final GrpcAnswer answer;
    private ByteBuf flight;
    private ScheduledFuture<?> timer;
    private SslHandler clientTls;
    private HandshakeWatch watch;
    private boolean over;
    private final GenericFutureListener<Future<Void>> clientClosed = closed -> end(false);

    private UpstreamFailureAnswer(FrontServices services, Channel client, Exchange exchange, Authority target,
                                  Decision decision, String sni, String host, String reason, int alert,
                                  GrpcAnswer answer) {
        this.services = services;
        this.client = client;
        this.exchange = exchange;
        this.target = target;
        this.decision = decision;
        this.sni = sni;
        this.host = host;
        this.reason = reason;
        this.alert = alert;
        this.answer = answer;
    }

    /**
     * Answers the client in gRPC when {@code reason} is an upstream failure and {@code hello} a gRPC client's; then
     * the client, its connection's access-log line, and {@code flight} are this class's. Call on the client's event
     * loop, once the bump's failure is counted and its upstream closed.
     *
     * @param host   the SNI, or the CONNECT host without one: what the leaf names
     * @param alert  what the client gets should no leaf be had
     * @param flight the client's ClientHello, not yet answered
     * @return false, having taken nothing, when the client is not answered this way
     */
    static boolean answer(FrontServices services, Channel client, Exchange exchange, Authority target,
                          Decision decision, ClientHello hello, String host, String reason, int alert,
                          ByteBuf flight) {
        String description = DESCRIPTIONS.get(reason);
        List<String> offers = hello.alpnProtocols();
        if (description == null || !offers.contains(Metrics.PROTOCOL_H2) || !GrpcClientFingerprint.matches(offers)
                || !client.isActive()) {
            return false;
        }
        new UpstreamFailureAnswer(services, client, exchange, target, decision, hello.serverName(), host, reason,
                alert, GrpcAnswer.unavailable(description + " (" + reason + ")")).start(flight);
        return true;
    }

    private void start(ByteBuf flight) {
        this.flight = flight;
        timer = client.eventLoop().schedule(() -> end(false), services.timeouts().tlsHandshake().toNanos(),
                TimeUnit.NANOSECONDS);
        client.closeFuture().addListener(clientClosed);
        // Minted off the event loop; the answer comes back to it.
        services.bump().leaves().getNameOnly(host)
                .whenCompleteAsync(this::leafReady, client.eventLoop());
    }

    private void leafReady(LeafCertificate leaf, Throwable error) {
        if (over) {
            return;
        }
        clientTls = ClientTlsSteps.handler(services.bump().clientFacing(), client, Metrics.PROTOCOL_H2, leaf, error,
                target, host);
        if (clientTls == null) {
            end(true);
            return;
        }
        watch = new HandshakeWatch(this::handshaken, () -> end(false));
        ClientTlsSteps.replay(client, clientTls, watch, flight);
        flight = null;
    }

    private void handshaken(Throwable failure) {
        if (over) {
            return;
        }
        if (failure != null || !Metrics.PROTOCOL_H2.equals(clientTls.applicationProtocol())) {
            log.debug("bump {} ({}): the gRPC client's handshake for an answer failed: {}", target, host,
                    failure == null ? "no h2" : failure.toString());
            end(false);
            return;
        }
        // Not inside the SslHandler's event: let it finish its read before the pipeline changes hands.
        client.eventLoop().execute(this::handOver);
    }

    private void handOver() {
        if (over) {
            return;
        }
        over = true;
        timer.cancel(false);
        client.closeFuture().removeListener(clientClosed);
        List<ByteBuf> held = watch.takeHeld();
        client.pipeline().remove(watch);
        services.metrics().connectionOpened(Metrics.KIND_BUMP);
        log.debug("bump {} ({}): answering the gRPC client's calls: {}", target, host, answer.message());
        FailedUpstreamAnswerer.start(client, answer, reason, services.grpc().callView(), services.limits().h2(),
                new BumpObserver(services, exchange, decision, target, Metrics.PROTOCOL_H2, sni));
        ClientTlsSteps.deliver(client, held);
    }

    /** The connection ends unanswered, logged as the bump's failure; {@code withAlert} before any reply of Sluice's. */
    private void end(boolean withAlert) {
        if (over) {
            return;
        }
        over = true;
        timer.cancel(false);
        if (flight != null) {
            flight.release();
            flight = null;
        }
        if (withAlert && client.isActive()) {
            client.writeAndFlush(TlsAlert.fatal(client.alloc(), alert)).addListener(ChannelFutureListener.CLOSE);
        } else {
            client.close();
        }
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, reason, 0, 0, null, sni);
    }
}
