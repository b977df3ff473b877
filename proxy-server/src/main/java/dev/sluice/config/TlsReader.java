package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The {@code tls:} block. Its presence alone turns the CA on, so an empty {@code tls:} means every default. */
final class TlsReader {
    private static final String KEY = "tls";

    private final NodeReader reader;

    TlsReader(NodeReader reader) {
        this.reader = reader;
    }

    /** The block under {@code tls} in {@code top}; {@link TlsConfig#DEFAULTS} when there is none. */
    TlsConfig read(YamlMapping top) {
        if (!top.has(KEY)) {
            return TlsConfig.DEFAULTS;
        }
        Node node = top.take(KEY);
        TlsConfig d = TlsConfig.DEFAULTS;
        if (node == null) {
            return new TlsConfig(true, d.ca(), d.leaf(), d.upstreamTrust(), d.provider());
        }
        TlsConfig config = reader.section(node, KEY, tls -> new TlsConfig(true,
                reader.optional(tls, "ca", d.ca(), this::ca),
                reader.optional(tls, "leaf", d.leaf(), this::leaf),
                reader.optional(tls, "upstreamTrust", d.upstreamTrust(), this::upstreamTrust),
                reader.optional(tls, "provider", d.provider(), this::provider)));
        return config == null ? d : config;
    }

    private TlsConfig.Ca ca(Node node, String path) {
        YamlMapping map = YamlMapping.of(node, path, reader.problems());
        if (map == null) {
            return null;
        }
        TlsConfig.Ca d = TlsConfig.Ca.DEFAULTS;
        Path cert = reader.optional(map, "cert", d.cert(), reader::path);
        Node keyNode = map.take("key");
        Path key = keyNode == null ? d.key() : reader.path(keyNode, map.child("key"));
        map.rejectUnknown();
        if (key != null && key.normalize().equals(cert.normalize())) {
            reader.problems().add(keyNode == null ? node : keyNode, map.child("key"),
                    "the key and the certificate must be two files, both are " + key);
            return null;
        }
        return key == null ? null : new TlsConfig.Ca(cert, key);
    }

    private TlsConfig.Leaf leaf(Node node, String path) {
        TlsConfig.Leaf d = TlsConfig.Leaf.DEFAULTS;
        return reader.section(node, path, map -> new TlsConfig.Leaf(
                reader.optional(map, "maxValidity", d.maxValidity(), this::maxValidity),
                reader.optional(map, "cacheSize", d.cacheSize(),
                        (n, p) -> reader.integer(n, p, 1, TlsConfig.Leaf.MAX_CACHE_SIZE)),
                reader.optional(map, "cacheTtl", d.cacheTtl(), reader::duration)));
    }

    private Duration maxValidity(Node node, String path) {
        Duration validity = reader.duration(node, path);
        if (validity == null) {
            return null;
        }
        if (validity.compareTo(TlsConfig.Leaf.MIN_VALIDITY) < 0
                || validity.compareTo(TlsConfig.Leaf.MAX_VALIDITY_LIMIT) > 0) {
            // Under an hour the 1h backdating dominates; over 398 days browsers refuse the leaf.
            reader.problems().add(node, path, "must be 1h-397d");
            return null;
        }
        return validity;
    }

    private TlsConfig.Provider provider(Node node, String path) {
        return reader.parsed(node, path, text -> Arrays.stream(TlsConfig.Provider.values())
                .filter(p -> p.name().toLowerCase(Locale.ROOT).equals(text))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected auto, openssl or jdk, got '" + text + "'")));
    }

    /** {@code system} stands for the JVM's trust store; anything else is a PEM file of CA certificates. */
    private TlsConfig.UpstreamTrust upstreamTrust(Node node, String path) {
        if (node instanceof SequenceNode sequence && sequence.getValue().isEmpty()) {
            reader.problems().add(node, path, "an empty list trusts no upstream; write [system] for the JVM's trust store");
            return null;
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> entries = reader.list(node, path, (element, elementPath) -> {
            String text = reader.string(element, elementPath);
            if (text == null) {
                return null;
            }
            Integer first = seen.putIfAbsent(text, Problems.line(element));
            if (first != null) {
                reader.problems().add(element, elementPath, "listed twice (first at line " + first + ")");
                return null;
            }
            return text.equals(TlsConfig.UpstreamTrust.SYSTEM) || reader.path(element, elementPath) != null ? text : null;
        });
        if (entries.isEmpty()) {
            return null;
        }
        return new TlsConfig.UpstreamTrust(entries.contains(TlsConfig.UpstreamTrust.SYSTEM), entries.stream()
                .filter(entry -> !entry.equals(TlsConfig.UpstreamTrust.SYSTEM)).map(Path::of).toList());
    }
}
