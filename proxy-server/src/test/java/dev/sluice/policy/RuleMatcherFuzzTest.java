package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.front.Authority;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A rule's {@code host:} pattern, as the config loader accepts it, matches a CONNECT target, as the front door
 * parses it, exactly when an independent reference says so: an exact name in any case and with or without its
 * trailing dot, a {@code *.suffix} glob for names with at least one label before the suffix, an IP literal for every
 * spelling of its address. The input is the pattern, a line feed, then the client's {@code host[:port]}; without a
 * line feed the pattern is also the target, so every pattern is checked against itself.
 */
class RuleMatcherFuzzTest {
    private static final InetAddress CLIENT = NetUtil.LOCALHOST4;

    @FuzzTest
    void aHostPatternMatchesWhatTheReferenceSays(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        int newline = text.indexOf('\n');
        String pattern = newline < 0 ? text : text.substring(0, newline);
        String target = newline < 0 ? text : text.substring(newline + 1);
        Policy policy = policyDenying(pattern);
        Authority authority = authority(target);
        if (policy == null || authority == null) {
            return; // the loader or the front door refuses it before any rule is asked
        }

        boolean denied = denies(policy, authority.host());

        assertThat(denied).as("rule host '%s' against target '%s' (host %s)", pattern, target, authority.host())
                .isEqualTo(reference(pattern, authority.host()));
        Authority shouted = authority(target.toUpperCase(Locale.ROOT));
        if (shouted != null) {
            assertThat(denies(policy, shouted.host())).as("the same target in upper case").isEqualTo(denied);
        }
    }

    private static boolean denies(Policy policy, String host) {
        return policy.decideConnect(new ConnectionFacts(CLIENT, host, 443)).rule().equals("r");
    }

    /** The rule as a config file would carry it, every character escaped; null when the loader refuses it. */
    private static Policy policyDenying(String pattern) {
        StringBuilder quoted = new StringBuilder("\"");
        pattern.chars().forEach(c -> quoted.append(String.format("\\u%04x", c)));
        String yaml = "rules:\n  - name: r\n    match: {host: " + quoted.append('"') + "}\n    action: deny\n";
        try {
            return Policy.from(ConfigLoader.parse(yaml, "fuzz.yaml"));
        } catch (ConfigException e) {
            return null;
        }
    }

    /** The target as the front door reads it; a bare IPv6 literal (as a pattern is written) gets its brackets. */
    private static Authority authority(String target) {
        try {
            return Authority.parse(target, 443);
        } catch (IllegalArgumentException e) {
            try {
                return target.indexOf(':') >= 0 ? Authority.parse("[" + target + "]", 443) : null;
            } catch (IllegalArgumentException alsoBad) {
                return null;
            }
        }
    }

    /** Written from the documented rules, not from the matcher. */
    private static boolean reference(String pattern, String host) {
        String p = pattern.startsWith("[") && pattern.endsWith("]") ? pattern.substring(1, pattern.length() - 1)
                : pattern;
        p = p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
        if (p.startsWith("*.")) {
            String suffix = p.substring(1);
            return host.length() > suffix.length()
                    && host.regionMatches(true, host.length() - suffix.length(), suffix, 0, suffix.length());
        }
        byte[] address = address(p);
        if (address != null) {
            return Arrays.equals(address, address(host));
        }
        return host.equalsIgnoreCase(p);
    }

    /** An IP literal's address, IPv4-mapped IPv6 as IPv4; null for a name. */
    private static byte[] address(String literal) {
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes != null && bytes.length == 16 && Arrays.equals(Arrays.copyOf(bytes, 12),
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff})) {
            return Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }
}
