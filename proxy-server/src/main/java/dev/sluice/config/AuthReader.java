package dev.sluice.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/** The {@code auth:} block. Writing it at all turns authentication on, so it must name at least one user. */
final class AuthReader {
    private final NodeReader reader;

    AuthReader(NodeReader reader) {
        this.reader = reader;
    }

    AuthConfig read(Node node, String path) {
        YamlMapping auth = YamlMapping.of(node, path, reader.problems());
        if (auth == null) {
            return null;
        }
        Node basicNode = auth.require("basic");
        auth.rejectUnknown();
        YamlMapping basic = basicNode == null ? null : YamlMapping.of(basicNode, auth.child("basic"), reader.problems());
        if (basic == null) {
            return null;
        }
        String realm = reader.optional(basic, "realm", AuthConfig.NONE.realm(), this::realm);
        Node usersNode = basic.require("users");
        basic.rejectUnknown();
        Map<String, PasswordHash> users = usersNode == null ? null : users(usersNode, basic.child("users"));
        return users == null ? null : new AuthConfig(realm, users);
    }

    /** The realm is quoted into a header, so quotes, backslashes and control characters are refused. */
    private String realm(Node node, String path) {
        return reader.parsed(node, path, text -> {
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
                throw new IllegalArgumentException("use printable ASCII without quotes or backslashes");
            }
            return text;
        });
    }

    private Map<String, PasswordHash> users(Node node, String path) {
        YamlMapping map = YamlMapping.of(node, path, reader.problems());
        if (map == null) {
            return null;
        }
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : map.entries().entrySet()) {
            String name = entry.getKey();
            String key = map.child(name);
            // Basic credentials are "user:password", so a colon in a name could never be matched.
            if (name.isEmpty() || name.indexOf(':') >= 0 || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                reader.problems().add(entry.getValue().getKeyNode(), key, "user names must not contain ':' or control characters");
                continue;
            }
            PasswordHash hash = reader.parsed(entry.getValue().getValueNode(), key, PasswordHash::parse);
            if (hash != null) {
                users.put(name, hash);
            }
        }
        if (users.isEmpty() && map.entries().isEmpty()) {
            reader.problems().add(node, path, "list at least one user, or remove the auth block");
        }
        return users;
    }
}
