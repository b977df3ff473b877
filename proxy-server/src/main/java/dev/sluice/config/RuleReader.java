package dev.sluice.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The {@code rules:} list. A new match criterion is one {@code take} in {@link #match} and one field in
 * {@link MatchConfig}; a new action is one {@link Action} constant.
 */
final class RuleReader {
    /** Rule names become metric labels and {@code Proxy-Status} details: keep them plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final Pattern ALPN_ID = Pattern.compile("[\\x21-\\x7e]{1,255}");
    /** Protobuf full names: identifiers joined by single dots ({@code .pkg.Svc} would never match); '*' for globs. */
    private static final Pattern SERVICE = Pattern.compile("(?=.{1,255}$)[A-Za-z0-9_*]+(\\.[A-Za-z0-9_*]+)*");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9_*]{1,255}");
    private static final String NAME_A_CALL = "name a service, a method or both, e.g. {service: pkg.Svc, method: 'Get*'}";

    private final NodeReader reader;

    RuleReader(NodeReader reader) {
        this.reader = reader;
    }

    List<RuleConfig> read(Node node, String path) {
        if (!(node instanceof SequenceNode sequence)) {
            reader.problems().add(node, path, "expected a list of rules (lines starting with '- '), got "
                    + NodeReader.describe(node));
            return null;
        }
        List<RuleConfig> rules = new ArrayList<>();
        Map<String, Integer> firstLines = new HashMap<>();
        List<Node> elements = sequence.getValue();
        for (int i = 0; i < elements.size(); i++) {
            RuleConfig rule = rule(elements.get(i), path + "[" + i + "]", firstLines);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private RuleConfig rule(Node node, String path, Map<String, Integer> firstLines) {
        YamlMapping map = YamlMapping.of(node, path, reader.problems());
        if (map == null) {
            return null;
        }
        Node nameNode = map.require("name");
        String name = nameNode == null ? null : reader.parsed(nameNode, map.child("name"), this::name);
        if (name != null) {
            Integer first = firstLines.putIfAbsent(name, Problems.line(nameNode));
            if (first != null) {
                reader.problems().add(nameNode, map.child("name"), "duplicate rule name '" + name + "' (first at line " + first + ")");
            }
        }
        int errorsBefore = reader.problems().count();
        MatchConfig match = reader.optional(map, "match", MatchConfig.ANY, this::match);
        // A match: block with errors says nothing reliable about whether this is a call rule.
        boolean matchSound = reader.problems().count() == errorsBefore;
        Node actionNode = map.require("action");
        Action action = actionNode == null ? null : reader.action(actionNode, map.child("action"));
        Node destinationsNode = map.take("allowDestinations");
        List<Cidr> allowDestinations = destinationsNode == null ? List.of()
                : reader.cidrs(destinationsNode, map.child("allowDestinations"));
        Node verifyNode = map.take("verifyUpstream");
        Boolean verifyUpstream = verifyNode == null ? Boolean.TRUE : reader.bool(verifyNode, map.child("verifyUpstream"));
        Node passthroughNode = map.take("autoPassthrough");
        Boolean autoPassthrough = passthroughNode == null ? Boolean.TRUE
                : reader.bool(passthroughNode, map.child("autoPassthrough"));
        map.rejectUnknown();
        // Keys that would silently do nothing are refused, each with its own error: only a bump makes its own
        // upstream TLS connection, and a call rule decides calls on a connection already made.
        boolean consistent = bumpOnly(verifyNode, map.child("verifyUpstream"), action);
        consistent &= bumpOnly(passthroughNode, map.child("autoPassthrough"), action);
        if (matchSound) {
            consistent &= callRuleConsistent(match, action, actionNode, map.child("action"));
            consistent &= connectionOnly(destinationsNode, map.child("allowDestinations"), match);
        }
        if (!consistent || name == null || action == null || verifyUpstream == null || autoPassthrough == null) {
            return null;
        }
        return new RuleConfig(name, match, action, allowDestinations, verifyUpstream, autoPassthrough,
                Problems.line(node));
    }

    private boolean bumpOnly(Node keyNode, String path, Action action) {
        if (keyNode != null && action != null && action != Action.BUMP) {
            reader.problems().add(keyNode, path, "applies only to rules with action: bump");
            return false;
        }
        return true;
    }

    /** The destination guard runs when a connection is made; a call rule decides later, inside a bump. */
    private boolean connectionOnly(Node keyNode, String path, MatchConfig match) {
        if (keyNode != null && match.grpc() != null) {
            reader.problems().add(keyNode, path, "a rule matching grpc: decides single calls on a connection already "
                    + "made; allowDestinations applies to connection rules only");
            return false;
        }
        return true;
    }

    /** A call rule lets a call through or refuses it; {@code allow} means nothing for a whole connection. */
    private boolean callRuleConsistent(MatchConfig match, Action action, Node actionNode, String path) {
        if (action == null || match == null) {
            return true;
        }
        if (match.grpc() != null && action != Action.ALLOW && action != Action.DENY) {
            reader.problems().add(actionNode, path, "a rule matching grpc: decides single calls; use allow or deny");
            return false;
        }
        if (match.grpc() == null && action == Action.ALLOW) {
            reader.problems().add(actionNode, path, "allow is only for rules matching grpc: (single gRPC calls); "
                    + "a connection is spliced, bumped or denied");
            return false;
        }
        return true;
    }

    private String name(String text) {
        if (!NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (text.equals("default") || text.startsWith("access.")) {
            throw new IllegalArgumentException("'" + text + "' is reserved for Sluice's built-in decisions");
        }
        return text;
    }

    private MatchConfig match(Node node, String path) {
        return reader.section(node, path, map -> new MatchConfig(
                reader.optional(map, "host", List.of(), (n, p) -> reader.list(n, p, this::hostPattern)),
                reader.optional(map, "hostRegex", null, this::hostRegex),
                reader.optional(map, "port", List.of(), reader::ports),
                reader.optional(map, "clients", List.of(), reader::cidrs),
                reader.optional(map, "sni", List.of(), (n, p) -> reader.list(n, p, this::hostPattern)),
                reader.optional(map, "alpn", List.of(), (n, p) -> reader.list(n, p, this::alpnProtocol)),
                reader.optional(map, "grpcClient", null, reader::bool),
                grpc(map)));
    }

    /**
     * {@code grpc: {service: pkg.Svc, method: Get*}}; at least one part, each a name with optional '*'. Written
     * without a value it is an error rather than "any call": the rule would silently turn into a connection rule.
     */
    private GrpcMethodPattern grpc(YamlMapping match) {
        Node node = match.take("grpc");
        String path = match.child("grpc");
        if (node == null) {
            Node written = match.keyNode("grpc");
            if (written != null) {
                reader.problems().add(written, path, NAME_A_CALL);
            }
            return null;
        }
        return reader.section(node, path, map -> {
            Node service = map.take("service");
            Node method = map.take("method");
            if (service == null && method == null) {
                reader.problems().add(node, path, NAME_A_CALL);
                return null;
            }
            return new GrpcMethodPattern(grpcName(service, map.child("service"), SERVICE),
                    grpcName(method, map.child("method"), METHOD));
        });
    }

    /** One part of {@code grpc:}; {@code *} when not written (or wrong: the error is recorded). */
    private String grpcName(Node node, String path, Pattern shape) {
        if (node == null) {
            return GrpcMethodPattern.ANY;
        }
        String name = reader.parsed(node, path, text -> {
            if (!shape.matcher(text).matches()) {
                throw new IllegalArgumentException("expected a gRPC " + (shape == SERVICE
                        ? "service name such as pkg.v1.Service" : "method name such as GetThing")
                        + " ('*' matches any run of characters), got '" + text + "'");
            }
            return text;
        });
        return name == null ? GrpcMethodPattern.ANY : name;
    }

    /** An ALPN protocol id as registered with IANA: 1-255 bytes; printable ASCII is all anyone uses. */
    private String alpnProtocol(Node node, String path) {
        return reader.parsed(node, path, text -> {
            if (!ALPN_ID.matcher(text).matches()) {
                throw new IllegalArgumentException("expected an ALPN protocol id such as h2, http/1.1 or grpc-exp, got '"
                        + text + "'");
            }
            return text;
        });
    }

    /** {@code example.com}, {@code *.example.com} or an IP literal; stored normalized. */
    private String hostPattern(Node node, String path) {
        return reader.parsed(node, path, text -> {
            String host = HostNames.normalize(text);
            String name = host.startsWith("*.") ? host.substring(2) : host;
            if (!HostNames.isValid(name)) {
                throw new IllegalArgumentException("expected a host name, '*.suffix' or an IP address, got '" + text + "'");
            }
            return HostNames.canonical(host);
        });
    }

    private Pattern hostRegex(Node node, String path) {
        return reader.parsed(node, path, text -> {
            try {
                return Pattern.compile(text, Pattern.CASE_INSENSITIVE);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
        });
    }
}
