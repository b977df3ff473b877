package dev.sluice.grpc;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.policy.Decision;
import java.util.List;

/**
 * Decides single gRPC calls of one bumped connection (the connection's facts already bound in): the answer's action is
 * {@link Action#ALLOW} or {@link Action#DENY}, and its rule names the call rule that decided. Called on the
 * connection's event loop; must not block.
 */
@FunctionalInterface
public interface CallGate {
    /** Every call allowed: for connections with no call rules, and tests. */
    CallGate ALLOW_ALL = new CallGate() {
        private final Decision allowed = new Decision(Action.ALLOW, "default", "no grpc rule matched", List.<Cidr>of());

        @Override
        public Decision decide(String service, String method) {
            return allowed;
        }

        @Override
        public boolean gatesNothing() {
            return true;
        }
    };

    /**
     * @param service {@code package.Service} from {@code :path /package.Service/Method}
     * @param method  {@code Method}
     */
    Decision decide(String service, String method);

    /** True when every call is allowed whatever it names, so no request needs its path read for a call. */
    default boolean gatesNothing() {
        return false;
    }
}
