package dev.sluice.config;

import java.util.List;

/**
 * One entry of {@code rules:}; the first rule whose match holds decides.
 *
 * @param name              unique; appears in logs, metrics and {@code Proxy-Status}
 * @param match             what the rule applies to
 * @param action            what to do
 * @param allowDestinations extra CIDRs this rule may reach despite the destination guard
 * @param verifyUpstream    for {@code bump}: whether the upstream certificate must chain to {@code tls.upstreamTrust}
 *                          and name the host; false only when written {@code verifyUpstream: false}
 * @param autoPassthrough   for {@code bump}: whether Sluice may splice instead when the origin asks for a client
 *                          certificate or the client refuses minted leaves ({@code passthrough:}); false only when
 *                          written {@code autoPassthrough: false}
 * @param line              1-based line of the rule in its file, for messages
 */
public record RuleConfig(String name, MatchConfig match, Action action, List<Cidr> allowDestinations,
                         boolean verifyUpstream, boolean autoPassthrough, int line) {
    public RuleConfig {
        allowDestinations = List.copyOf(allowDestinations);
    }

    /**
     * A rule matching {@code grpc:}: it decides single gRPC calls inside bumped HTTP/2 connections ({@code allow} or
     * {@code deny}), never connections.
     */
    public boolean isCallRule() {
        return match.grpc() != null;
    }
}
