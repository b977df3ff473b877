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
 * @param awaitsClientHello true when a rule that matches on {@code sni} or {@code alpn} could still apply: the
 *                          action is then provisional, and the caller must read the ClientHello and ask
 *                          {@link Policy#decideTls} for the final decision
 */
public record Decision(Action action, String rule, String reason, List<Cidr> allowDestinations,
                       boolean verifyUpstream, boolean awaitsClientHello) {
    public Decision {
        allowDestinations = List.copyOf(allowDestinations);
    }

    /** A final decision that verifies upstream certificates. */
    public Decision(Action action, String rule, String reason, List<Cidr> allowDestinations) {
        this(action, rule, reason, allowDestinations, true, false);
    }

    public boolean denied() {
        return action == Action.DENY && !awaitsClientHello;
    }

    /** Whether the caller must answer the CONNECT and then read the client's ClientHello before acting. */
    public boolean peeksClientHello() {
        return awaitsClientHello || action == Action.BUMP;
    }
}
