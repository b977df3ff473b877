package dev.sluice.reload;

import dev.sluice.config.SluiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keys a reload cannot apply to a running Sluice: the listeners are bound, the upstream connector (its
 * {@code hosts:} overrides, connect timeout and origin pools), the access log, the metrics' gRPC labels, the
 * automatic-passthrough registry and the reload triggers themselves are built once at start. A reload applies the
 * rest and names these in a warning, so that the operator knows a restart is due.
 */
final class RestartOnlyChanges {
    private record Key(String name, Function<SluiceConfig, Object> value) {
    }

    private static final List<Key> KEYS = List.of(
            new Key("listen", SluiceConfig::listen),
            new Key("admin", SluiceConfig::admin),
            new Key("hosts", SluiceConfig::hosts),
            new Key("timeouts.connect", c -> c.timeouts().connect()),
            new Key("timeouts.idleUpstream", c -> c.timeouts().idleUpstream()),
            new Key("timeouts.drain", c -> c.timeouts().drain()),
            new Key("limits.maxIdleUpstreamPerOrigin", c -> c.limits().maxIdleUpstreamPerOrigin()),
            new Key("accessLog", SluiceConfig::accessLog),
            new Key("grpc", SluiceConfig::grpc),
            new Key("passthrough", SluiceConfig::passthrough),
            new Key("reload", SluiceConfig::reload));

    private RestartOnlyChanges() {
    }

    /** The restart-only keys whose value in {@code next} differs from the one Sluice {@code started} with. */
    static List<String> between(SluiceConfig started, SluiceConfig next) {
        List<String> changed = new ArrayList<>();
        for (Key key : KEYS) {
            if (!Objects.equals(key.value().apply(started), key.value().apply(next))) {
                changed.add(key.name());
            }
        }
        return changed;
    }
}
