package dev.sluice.cli;

import dev.sluice.config.AccessConfig;
import dev.sluice.config.Cidr;
import dev.sluice.config.H2LimitsConfig;
import dev.sluice.config.MatchConfig;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.config.PortRange;
import dev.sluice.config.RuleConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TimeoutsConfig;
import dev.sluice.config.TlsConfig;
import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The effective configuration as {@code check-config} prints it: defaults filled in, rules in match order. */
final class ConfigSummary {
    private ConfigSummary() {
    }

    static String render(SluiceConfig c) {
        StringBuilder out = new StringBuilder();
        line(out, "%s: OK", c.source());
        line(out, "listen:    %s", c.listen());
        line(out, "admin:     %s", c.admin());
        AccessConfig access = c.access();
        line(out, "access:");
        line(out, "  clients:           %s", join(access.clients()));
        line(out, "  connectPorts:      %s", join(access.connectPorts()));
        line(out, "  allowDestinations: %s", join(access.allowDestinations()));
        line(out, "auth:      %s", c.auth().enabled()
                ? "basic, realm \"" + c.auth().realm() + "\", users: " + c.auth().users().keySet().stream().sorted()
                        .collect(Collectors.joining(", "))
                : "off");
        line(out, "hosts:     %s", c.hosts().isEmpty() ? "(none)" : c.hosts().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " -> " + NetUtil.toAddressString(e.getValue()))
                .collect(Collectors.joining(", ")));
        line(out, "rules (first match wins):");
        for (int i = 0; i < c.rules().size(); i++) {
            RuleConfig rule = c.rules().get(i);
            line(out, "  [%d] %s (line %d): %s -> %s%s", i, rule.name(), rule.line(), describe(rule.match()),
                    rule.action().yamlName(), options(rule));
        }
        line(out, "  default -> %s", c.defaultAction().yamlName());
        TimeoutsConfig t = c.timeouts();
        line(out, "timeouts:  connect %s, requestHeader %s, idleTunnel %s, idleClient %s, idleUpstream %s, "
                        + "tlsHandshake %s, drain %s", format(t.connect()), format(t.requestHeader()),
                format(t.idleTunnel()), format(t.idleClient()), format(t.idleUpstream()), format(t.tlsHandshake()),
                format(t.drain()));
        line(out, "limits:    maxRequestLine %d, maxHeaderBytes %d, maxIdleUpstreamPerOrigin %d",
                c.limits().maxRequestLine(), c.limits().maxHeaderBytes(), c.limits().maxIdleUpstreamPerOrigin());
        line(out, "           maxClientConnections %d, maxConnectionsPerClient %d",
                c.limits().maxClientConnections(), c.limits().maxConnectionsPerClient());
        H2LimitsConfig h2 = c.limits().h2();
        line(out, "  h2:       maxConcurrentStreams %d, maxHeaderListSize %d, maxResetsPerWindow %d, resetWindow %s,",
                h2.maxConcurrentStreams(), h2.maxHeaderListSize(), h2.maxResetsPerWindow(), format(h2.resetWindow()));
        line(out, "            maxEmptyDataFrames %d, maxQueuedControlFrames %d, maxSmallContinuationFrames %d,",
                h2.maxEmptyDataFrames(), h2.maxQueuedControlFrames(), h2.maxSmallContinuationFrames());
        line(out, "            maxControlFramesPerWindow %d", h2.maxControlFramesPerWindow());
        line(out, "accessLog: %s", c.accessLog().enabled() ? c.accessLog().path() : "off");
        tls(out, c.tls());
        line(out, "grpc:      callView %s, maxMethodLabels %d", onOff(c.grpc().callView()), c.grpc().maxMethodLabels());
        passthrough(out, c.passthrough());
        line(out, "reload:    SIGHUP%s", c.reload().watch()
                ? ", and files watched every " + format(c.reload().interval()) : "; files not watched");
        return out.toString();
    }

    /** What a rule does besides its action; the defaults (verify upstream, allow passthrough) go unsaid. */
    private static String options(RuleConfig rule) {
        StringBuilder options = new StringBuilder();
        if (!rule.verifyUpstream()) options.append(", verifyUpstream false");
        if (!rule.autoPassthrough()) options.append(", autoPassthrough false");
        if (!rule.allowDestinations().isEmpty()) options.append(", allowDestinations ").append(join(rule.allowDestinations()));
        return options.toString();
    }

    private static void passthrough(StringBuilder out, PassthroughConfig passthrough) {
        PassthroughConfig.Pinned pinned = passthrough.pinned();
        line(out, "passthrough:");
        line(out, "  mtls:          %s, ttl %s", onOff(passthrough.mtls().enabled()), format(passthrough.mtls().ttl()));
        line(out, "  pinned:        %s, ttl %s, threshold %d, ipv4Prefix %d, ipv6Prefix %d", onOff(pinned.enabled()),
                format(pinned.ttl()), pinned.threshold(), pinned.ipv4Prefix(), pinned.ipv6Prefix());
        line(out, "  maxEntries:    %d", passthrough.maxEntries());
    }

    private static void tls(StringBuilder out, TlsConfig tls) {
        if (!tls.enabled()) {
            line(out, "tls:       off");
            return;
        }
        TlsConfig.Leaf leaf = tls.leaf();
        List<Object> trust = new ArrayList<>();
        if (tls.upstreamTrust().system()) trust.add(TlsConfig.UpstreamTrust.SYSTEM);
        trust.addAll(tls.upstreamTrust().files());
        line(out, "tls:");
        line(out, "  ca:            cert %s, key %s", tls.ca().cert(), tls.ca().key());
        line(out, "  leaf:          maxValidity %s, cacheSize %d, cacheTtl %s", format(leaf.maxValidity()),
                leaf.cacheSize(), format(leaf.cacheTtl()));
        line(out, "  upstreamTrust: %s", join(trust));
        line(out, "  provider:      %s", tls.provider().name().toLowerCase(Locale.ROOT));
    }

    private static String describe(MatchConfig match) {
        List<String> parts = new ArrayList<>();
        if (!match.hosts().isEmpty()) parts.add("host " + String.join(", ", match.hosts()));
        if (match.hostRegex() != null) parts.add("hostRegex " + match.hostRegex().pattern());
        if (!match.ports().isEmpty()) parts.add("port " + join(match.ports()));
        if (!match.clients().isEmpty()) parts.add("clients " + join(match.clients()));
        if (!match.sni().isEmpty()) parts.add("sni " + String.join(", ", match.sni()));
        if (!match.alpn().isEmpty()) parts.add("alpn " + String.join(", ", match.alpn()));
        if (match.grpcClient() != null) parts.add("grpcClient " + match.grpcClient());
        if (match.grpc() != null) parts.add("grpc " + match.grpc().service() + "/" + match.grpc().method());
        return parts.isEmpty() ? "any" : String.join("; ", parts);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    private static String join(List<?> values) {
        return values.isEmpty() ? "(none)" : values.stream().map(Object::toString).collect(Collectors.joining(", "));
    }

    /** The largest unit that writes the duration exactly, as YAML would: 90s, 15m, 250ms, 7d. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(format, args)).append('\n');
    }
}
