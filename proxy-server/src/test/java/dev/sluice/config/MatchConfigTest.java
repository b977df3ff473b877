package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A reload compares rules by value: the same file read twice gives equal rules, a changed regex does not. */
class MatchConfigTest {
    private static final String RULE = "rules:\n  - name: a\n    match: {hostRegex: '%s', port: [443]}\n"
            + "    action: deny\n";

    @Test
    void rulesWithTheSameHostRegexAreEqualAndADifferentOneIsNot() throws Exception {
        MatchConfig once = match(".*\\.example\\.com");

        assertThat(match(".*\\.example\\.com")).isEqualTo(once).hasSameHashCodeAs(once);
        assertThat(match(".*\\.example\\.org")).isNotEqualTo(once);
        assertThat(MatchConfig.ANY).isNotEqualTo(once);
    }

    private static MatchConfig match(String regex) throws Exception {
        return ConfigLoader.parse(RULE.formatted(regex), "t.yaml").rules().get(0).match();
    }
}
