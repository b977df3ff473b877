package dev.sluice.policy;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import java.util.List;

/**
 * The outcome of policy for one request.
 *
 * @param action            what to do
 * @param rule              the rule that decided; {@code "default"} for the default action, or a built-in
 *                          name such as {@code "access.clients"} / {@code "access.connectPorts"} for access checks
 * @param reason            a short human reason, used in logs and {@code Proxy-Status} details
 * @param allowDestinations CIDRs the destination guard lets this request reach (global plus the rule's)
 * @param verifyUpstream    for a bump: whether the upstream certificate must be trusted and name the host
 * @param autoPassthrough   for a bump: whether Sluice may splice instead when bumping would break the connection
 *                          (an origin asking for a client certificate, a client refusing minted leaves)
 * @param awaitsClientHello true when a rule that matches on {@code sni} or {@code alpn} could still apply: the
 *                          action is then provisional, and the caller must read the ClientHello and ask
 *                          {@link Policy#decideTls} for the final decision
 */
public record Decision(Action action, String rule, String reason, List<Cidr> allowDestinations,
                       boolean verifyUpstream, boolean autoPassthrough, boolean awaitsClientHello) {
    public Decision {
        allowDestinations = List.copyOf(allowDestinations);
    }

    /** A final decision that verifies upstream certificates and allows automatic passthrough. */
    public Decision(Action action, String rule, String reason, List<Cidr> allowDestinations) {
        this(action, rule, reason, allowDestinations, true, true, false);
    }

    /** This decision with another action and reason, e.g. a bump turned into a splice by automatic passthrough. */
    public Decision with(Action newAction, String newReason) {
        return new Decision(newAction, rule, newReason, allowDestinations, verifyUpstream, autoPassthrough,
                awaitsClientHello);
    }

    public boolean denied() {
        return action == Action.DENY && !awaitsClientHello;
    }

    /** Whether the caller must answer the CONNECT and then read the client's ClientHello before acting. */
    public boolean peeksClientHello() {
        return awaitsClientHello || action == Action.BUMP;
    }
}
