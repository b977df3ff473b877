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
 */
public record Decision(Action action, String rule, String reason, List<Cidr> allowDestinations) {
    public Decision {
        allowDestinations = List.copyOf(allowDestinations);
    }

    public boolean denied() {
        return action == Action.DENY;
    }
}
