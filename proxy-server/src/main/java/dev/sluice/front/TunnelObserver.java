package dev.sluice.front;

import dev.sluice.policy.Decision;
import dev.sluice.relay.RelayObserver;

/** Counts a tunnel's bytes and, when it closes, the connection and its access-log line. */
class TunnelObserver implements RelayObserver {
    final FrontServices services;
    final Exchange exchange;
    final Decision decision;
    final String sni;
    private final String kind;
    private final String protocol;
    private final String passthrough;

    /**
     * @param kind     the {@code sluice_connections} kind opened for this tunnel
     * @param protocol the ALPN protocol of a bump ({@code none} for none), else null
     * @param sni      the ClientHello's server name when it was read, else null
     */
    TunnelObserver(FrontServices services, Exchange exchange, Decision decision, String kind, String protocol,
                   String sni) {
        this(services, exchange, decision, kind, protocol, sni, null);
    }

    /** @param passthrough why automatic passthrough spliced a bump ({@code mtls}, {@code pinned}), else null */
    TunnelObserver(FrontServices services, Exchange exchange, Decision decision, String kind, String protocol,
                   String sni, String passthrough) {
        this.services = services;
        this.exchange = exchange;
        this.decision = decision;
        this.kind = kind;
        this.protocol = protocol;
        this.sni = sni;
        this.passthrough = passthrough;
    }

    @Override
    public void bytesUp(long n) {
        services.metrics().bytesUpstream(n);
    }

    @Override
    public void bytesDown(long n) {
        services.metrics().bytesDownstream(n);
    }

    @Override
    public void closed(long bytesUp, long bytesDown, String error) {
        closed(bytesUp, bytesDown, error, true);
    }

    /** @param countError false when {@code error} was already counted, by the exchange whose failure it is */
    void closed(long bytesUp, long bytesDown, String error, boolean countError) {
        services.metrics().connectionClosed(kind);
        if (countError) {
            services.finish(exchange, TunnelStart.ESTABLISHED.code(), decision, error, bytesUp, bytesDown, protocol,
                    sni, passthrough);
        } else {
            services.log(exchange, TunnelStart.ESTABLISHED.code(), decision, error, bytesUp, bytesDown, protocol, sni,
                    passthrough);
        }
    }
}
