package dev.sluice.config;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * SnakeYAML (safe) node tree to {@link SluiceConfig}; every error carries file, line and key.
 * The loader walks the composed node tree itself instead of binding to classes, so that each value keeps its
 * line number and every mistake in a file is reported in one run.
 */
public final class ConfigLoader {
    static final String SYNTAX = "(yaml)";

    private final NodeReader reader;

    private ConfigLoader(Problems problems) {
        this.reader = new NodeReader(problems);
    }

    public static SluiceConfig load(Path file) throws ConfigException {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(new ConfigError(source, 0, "(file)", "no such file")));
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new ConfigError(source, 0, "(file)", "not UTF-8 text")));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(source, 0, "(file)", "cannot read: " + e)));
        }
        return parse(text, source);
    }

    /** Parses YAML text; {@code sourceName} stands in for the file name in errors. */
    public static SluiceConfig parse(String yaml, String sourceName) throws ConfigException {
        Problems problems = new Problems(sourceName);
        Node root = compose(yaml, problems);
        SluiceConfig config = null;
        if (root != null) {
            YamlMapping top = YamlMapping.of(root, "", problems);
            if (top != null) {
                config = new ConfigLoader(problems).read(top, sourceName);
            }
        }
        problems.throwIfAny();
        return config;
    }

    private static Node compose(String yaml, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        try {
            Node root = new Yaml(new SafeConstructor(options)).compose(new StringReader(yaml));
            if (root == null || YamlMapping.isNull(root)) {
                problems.add(1, "", "the file is empty; it needs at least one key (see config/sluice.yaml)");
                return null;
            }
            return root;
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.add(mark == null ? 1 : mark.getLine() + 1, SYNTAX, syntaxMessage(e));
        } catch (YAMLException e) {
            problems.add(1, SYNTAX, e.getMessage());
        }
        return null;
    }

    private static String syntaxMessage(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        return e.getContext() != null ? e.getContext() + ": " + problem : problem;
    }

    private SluiceConfig read(YamlMapping top, String source) {
        HostPort listen = reader.optional(top, "listen", SluiceConfig.DEFAULT_LISTEN, reader::hostPort);
        HostPort admin = reader.optional(top, "admin", SluiceConfig.DEFAULT_ADMIN, reader::hostPort);
        Map<String, InetAddress> hosts = reader.optional(top, "hosts", Map.of(), this::hosts);
        AccessConfig access = reader.optional(top, "access", AccessConfig.DEFAULTS, this::access);
        AuthConfig auth = reader.optional(top, "auth", AuthConfig.NONE, new AuthReader(reader)::read);
        List<RuleConfig> rules = reader.optional(top, "rules", List.of(), new RuleReader(reader)::read);
        Node defaultNode = top.take("default");
        Action written = defaultNode == null ? null : reader.action(defaultNode, "default");
        Action defaultAction = written == null ? Action.SPLICE : written;
        TimeoutsConfig timeouts = reader.optional(top, "timeouts", TimeoutsConfig.DEFAULTS, this::timeouts);
        LimitsConfig limits = reader.optional(top, "limits", LimitsConfig.DEFAULTS, this::limits);
        AccessLogConfig accessLog = reader.optional(top, "accessLog", AccessLogConfig.DEFAULTS, this::accessLog);
        TlsConfig tls = new TlsReader(reader).read(top);
        GrpcConfig grpc = reader.optional(top, "grpc", GrpcConfig.DEFAULTS, this::grpc);
        PassthroughConfig passthrough = reader.optional(top, "passthrough", PassthroughConfig.DEFAULTS,
                this::passthrough);
        ReloadConfig reload = reader.optional(top, "reload", ReloadConfig.DEFAULTS, this::reload);
        top.rejectUnknown();
        if (defaultAction == Action.ALLOW) {
            reader.problems().add(defaultNode, "default", "allow is for rules matching grpc:; the default must be "
                    + "splice, bump or deny");
        }
        if (!tls.enabled()) {
            requireTlsForBump(rules, defaultAction, defaultNode);
        }
        return new SluiceConfig(source, listen, admin, hosts, access, auth, rules, defaultAction, timeouts, limits,
                accessLog, tls, grpc, passthrough, reload);
    }

    /** A bump mints leaves, so it needs the CA of a {@code tls:} block; without one it would fail every connection. */
    private void requireTlsForBump(List<RuleConfig> rules, Action defaultAction, Node defaultNode) {
        String message = "action bump needs a tls: block (the CA that signs minted leaves); add 'tls: {}' for the defaults";
        if (rules != null) {
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).action() == Action.BUMP) {
                    reader.problems().add(rules.get(i).line(), "rules[" + i + "].action", message);
                }
            }
        }
        if (defaultAction == Action.BUMP && defaultNode != null) {
            reader.problems().add(defaultNode, "default", message);
        }
    }

    /** {@code name: literal-address}; names compare case-insensitively, so Foo and foo collide. */
    private Map<String, InetAddress> hosts(Node node, String path) {
        YamlMapping map = YamlMapping.of(node, path, reader.problems());
        if (map == null) {
            return null;
        }
        Map<String, InetAddress> hosts = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : map.entries().entrySet()) {
            Node keyNode = entry.getValue().getKeyNode();
            String key = map.child(entry.getKey());
            String name = HostNames.normalize(entry.getKey());
            if (!HostNames.isValid(name) || Cidr.literal(name) != null) {
                reader.problems().add(keyNode, key, "not a host name");
                continue;
            }
            Integer first = lines.putIfAbsent(name, Problems.line(keyNode));
            if (first != null) {
                reader.problems().add(keyNode, key, "duplicate host (first at line " + first + ")");
                continue;
            }
            InetAddress address = reader.parsed(entry.getValue().getValueNode(), key, text -> {
                InetAddress literal = Cidr.literal(text);
                if (literal == null) {
                    throw new IllegalArgumentException("expected an IP address, got '" + text + "' (no DNS names here)");
                }
                return literal;
            });
            if (address != null) {
                hosts.put(name, address);
            }
        }
        return hosts;
    }

    private AccessConfig access(Node node, String path) {
        AccessConfig d = AccessConfig.DEFAULTS;
        return reader.section(node, path, map -> new AccessConfig(
                reader.optional(map, "clients", d.clients(), reader::cidrs),
                reader.optional(map, "connectPorts", d.connectPorts(), reader::ports),
                reader.optional(map, "allowDestinations", d.allowDestinations(), reader::cidrs)));
    }

    private TimeoutsConfig timeouts(Node node, String path) {
        TimeoutsConfig d = TimeoutsConfig.DEFAULTS;
        return reader.section(node, path, map -> new TimeoutsConfig(
                reader.optional(map, "connect", d.connect(), reader::duration),
                reader.optional(map, "requestHeader", d.requestHeader(), reader::duration),
                reader.optional(map, "idleTunnel", d.idleTunnel(), reader::duration),
                reader.optional(map, "idleClient", d.idleClient(), reader::duration),
                reader.optional(map, "idleUpstream", d.idleUpstream(), reader::duration),
                reader.optional(map, "tlsHandshake", d.tlsHandshake(), reader::duration),
                reader.optional(map, "drain", d.drain(), reader::duration)));
    }

    private ReloadConfig reload(Node node, String path) {
        ReloadConfig d = ReloadConfig.DEFAULTS;
        return reader.section(node, path, map -> new ReloadConfig(
                reader.optional(map, "watch", d.watch(), reader::bool),
                reader.optional(map, "interval", d.interval(), (n, p) -> {
                    Duration interval = reader.duration(n, p);
                    if (interval != null && interval.compareTo(ReloadConfig.MIN_INTERVAL) < 0) {
                        reader.problems().add(n, p, "must be at least " + ReloadConfig.MIN_INTERVAL.toMillis() + "ms");
                    }
                    return interval;
                })));
    }

    private LimitsConfig limits(Node node, String path) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        return reader.section(node, path, map -> new LimitsConfig(
                reader.optional(map, "maxRequestLine", d.maxRequestLine(), (n, p) -> reader.integer(n, p, 256, 1 << 20)),
                reader.optional(map, "maxHeaderBytes", d.maxHeaderBytes(), (n, p) -> reader.integer(n, p, 1024, 1 << 24)),
                reader.optional(map, "maxIdleUpstreamPerOrigin", d.maxIdleUpstreamPerOrigin(),
                        (n, p) -> reader.integer(n, p, 0, 1024)),
                reader.optional(map, "maxClientConnections", d.maxClientConnections(),
                        (n, p) -> reader.integer(n, p, 1, LimitsConfig.MAX_CONNECTIONS)),
                reader.optional(map, "maxConnectionsPerClient", d.maxConnectionsPerClient(),
                        (n, p) -> reader.integer(n, p, 1, LimitsConfig.MAX_CONNECTIONS)),
                reader.optional(map, "h2", d.h2(), this::h2Limits)));
    }

    private H2LimitsConfig h2Limits(Node node, String path) {
        H2LimitsConfig d = H2LimitsConfig.DEFAULTS;
        return reader.section(node, path, map -> new H2LimitsConfig(
                reader.optional(map, "maxConcurrentStreams", d.maxConcurrentStreams(),
                        (n, p) -> reader.integer(n, p, 1, 10_000)),
                // RFC 9113 gives every header field a 32-byte overhead: below 1 KiB not even a request's pseudo-headers fit.
                reader.optional(map, "maxHeaderListSize", d.maxHeaderListSize(),
                        (n, p) -> reader.integer(n, p, 1024, 1 << 20)),
                reader.optional(map, "maxResetsPerWindow", d.maxResetsPerWindow(),
                        (n, p) -> reader.integer(n, p, 1, 1_000_000)),
                reader.optional(map, "resetWindow", d.resetWindow(), this::wholeSeconds),
                reader.optional(map, "maxEmptyDataFrames", d.maxEmptyDataFrames(),
                        (n, p) -> reader.integer(n, p, 1, 1000)),
                reader.optional(map, "maxQueuedControlFrames", d.maxQueuedControlFrames(),
                        (n, p) -> reader.integer(n, p, 1, 100_000)),
                reader.optional(map, "maxSmallContinuationFrames", d.maxSmallContinuationFrames(),
                        (n, p) -> reader.integer(n, p, 1, 1000)),
                reader.optional(map, "maxControlFramesPerWindow", d.maxControlFramesPerWindow(),
                        (n, p) -> reader.integer(n, p, 1, 1_000_000))));
    }

    /** A duration Netty takes in whole seconds, as {@code limits.h2.resetWindow}. */
    private Duration wholeSeconds(Node node, String path) {
        Duration duration = reader.duration(node, path);
        if (duration != null && (duration.toNanos() % 1_000_000_000L != 0 || duration.toSeconds() > 3600)) {
            reader.problems().add(node, path, "must be whole seconds, 1s-1h, got " + duration.toMillis() + "ms");
            return null;
        }
        return duration;
    }

    private GrpcConfig grpc(Node node, String path) {
        GrpcConfig d = GrpcConfig.DEFAULTS;
        return reader.section(node, path, map -> new GrpcConfig(
                reader.optional(map, "callView", d.callView(), reader::bool),
                reader.optional(map, "maxMethodLabels", d.maxMethodLabels(),
                        (n, p) -> reader.integer(n, p, 1, GrpcConfig.MAX_METHOD_LABELS))));
    }

    private PassthroughConfig passthrough(Node node, String path) {
        PassthroughConfig d = PassthroughConfig.DEFAULTS;
        return reader.section(node, path, map -> new PassthroughConfig(
                reader.optional(map, "mtls", d.mtls(), this::mtlsPassthrough),
                reader.optional(map, "pinned", d.pinned(), this::pinnedPassthrough),
                reader.optional(map, "maxEntries", d.maxEntries(),
                        (n, p) -> reader.integer(n, p, 1, PassthroughConfig.MAX_ENTRIES))));
    }

    private PassthroughConfig.Mtls mtlsPassthrough(Node node, String path) {
        PassthroughConfig.Mtls d = PassthroughConfig.Mtls.DEFAULTS;
        return reader.section(node, path, map -> new PassthroughConfig.Mtls(
                reader.optional(map, "enabled", d.enabled(), reader::bool),
                reader.optional(map, "ttl", d.ttl(), reader::duration)));
    }

    private PassthroughConfig.Pinned pinnedPassthrough(Node node, String path) {
        PassthroughConfig.Pinned d = PassthroughConfig.Pinned.DEFAULTS;
        return reader.section(node, path, map -> new PassthroughConfig.Pinned(
                reader.optional(map, "enabled", d.enabled(), reader::bool),
                reader.optional(map, "ttl", d.ttl(), reader::duration),
                reader.optional(map, "threshold", d.threshold(), (n, p) -> reader.integer(n, p, 1, 100)),
                reader.optional(map, "ipv4Prefix", d.ipv4Prefix(), (n, p) -> reader.integer(n, p, 8, 32)),
                reader.optional(map, "ipv6Prefix", d.ipv6Prefix(), (n, p) -> reader.integer(n, p, 16, 128))));
    }

    private AccessLogConfig accessLog(Node node, String path) {
        AccessLogConfig d = AccessLogConfig.DEFAULTS;
        return reader.section(node, path, map -> new AccessLogConfig(
                reader.optional(map, "enabled", d.enabled(), reader::bool),
                reader.optional(map, "path", d.path(), reader::string)));
    }
}
