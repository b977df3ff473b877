package dev.sluice.config;

import java.util.Map;

/**
 * Basic proxy authentication. {@link #NONE} when the YAML has no {@code auth:} block.
 *
 * @param realm the realm named in {@code Proxy-Authenticate}
 * @param users user name to salted password hash, as written by {@code sluice hash-password}
 */
public record AuthConfig(String realm, Map<String, PasswordHash> users) {
    public static final AuthConfig NONE = new AuthConfig("sluice", Map.of());

    public AuthConfig {
        users = Map.copyOf(users);
    }

    public boolean enabled() {
        return !users.isEmpty();
    }
}
