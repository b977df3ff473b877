package dev.sluice.front;

import dev.sluice.config.Action;
import dev.sluice.observe.Metrics;
import dev.sluice.passthrough.PassthroughReason;
import dev.sluice.policy.Decision;
import dev.sluice.relay.TcpRelay;
import dev.sluice.tls.TlsAlert;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The splice of a CONNECT whose first flight Sluice holds already: one a policy decided by SNI ({@link PeekedConnect}),
 * or a bump that automatic passthrough turned into a splice, at once ({@link PeekedConnect}) or when the origin asked
 * for a client certificate ({@link BumpTunnel}). Connects a fresh upstream that has seen nothing, replays the flight to
 * it first, then relays bytes. The CONNECT {@code 200} is long sent, so a failed upstream reaches a TLS client as an
 * {@code internal_error} alert; the reason goes to the log line and metric.
 */
final class FlightSplice {
    private static final Logger log = LoggerFactory.getLogger(FlightSplice.class);

    private final FrontServices services;
    private final Channel client;
    private final Exchange exchange;
    private final Authority target;
    private final Decision decision;
    private final boolean tls;
    private final String sni;
    private final PassthroughReason passthrough;

    private FlightSplice(FrontServices services, Channel client, Exchange exchange, Authority target,
                         Decision decision, boolean tls, String sni, PassthroughReason passthrough) {
        this.services = services;
        this.client = client;
        this.exchange = exchange;
        this.target = target;
        this.decision = decision;
        this.tls = tls;
        this.sni = sni;
        this.passthrough = passthrough;
    }

    /**
     * A splice the policy chose.
     *
     * @param tls    whether the flight was a ClientHello (a failure is then told with an alert)
     * @param flight the client's first flight; owned here from now on
     */
    static void start(FrontServices services, Channel client, Exchange exchange, Authority target, Decision decision,
                      boolean tls, String sni, ByteBuf flight) {
        new FlightSplice(services, client, exchange, target, decision, tls, sni, null).connect(flight);
    }

    /**
     * A bump automatic passthrough splices instead, counted and logged with its reason; the access log shows action
     * {@code splice} under the bump's rule, and {@code passthrough} with the reason.
     *
     * @param flight the client's ClientHello; owned here from now on
     */
    static void passThrough(FrontServices services, Channel client, Exchange exchange, Authority target,
                            Decision bump, String sni, ByteBuf flight, PassthroughReason reason) {
        log.info("CONNECT {} (SNI {}): spliced, not bumped (rule {}): automatic passthrough, {}", target, sni,
                bump.rule(), reason.label());
        services.metrics().passthroughSpliced(reason.label());
        Decision splice = bump.with(Action.SPLICE, "automatic passthrough: " + reason.label());
        new FlightSplice(services, client, exchange, target, splice, true, sni, reason).connect(flight);
    }

    private void connect(ByteBuf flight) {
        Future<Channel> connect = services.connector()
                .connect(client.eventLoop(), target.host(), target.port(), decision, ConnectTunnel.NOTHING_YET);
        connect.addListener(done -> {
            if (!connect.isSuccess()) {
                flight.release();
                failed(connect.cause());
                return;
            }
            Channel upstream = connect.getNow();
            if (!client.isActive()) {
                flight.release();
                upstream.close();
                finish("client_closed");
                return;
            }
            services.metrics().connectionOpened(Metrics.KIND_TUNNEL);
            TcpRelay.start(client, upstream, services.timeouts().idleTunnel(), List.of(flight),
                    new TunnelObserver(services, exchange, decision, Metrics.KIND_TUNNEL, null, sni, label()));
        });
    }

    private void failed(Throwable cause) {
        String reason = UpstreamFailure.of(cause).metricReason();
        log.debug("CONNECT {} (spliced after its ClientHello): {}", target, cause.getMessage());
        if (tls && client.isActive()) {
            client.writeAndFlush(TlsAlert.fatal(client.alloc(), TlsAlert.INTERNAL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            client.close();
        }
        finish(reason);
    }

    private void finish(String error) {
        services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, error, 0, 0, null, sni, label());
    }

    private String label() {
        return passthrough == null ? null : passthrough.label();
    }
}
