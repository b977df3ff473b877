package dev.sluice.policy;

import dev.sluice.config.Cidr;
import dev.sluice.config.GrpcMethodPattern;
import dev.sluice.config.MatchConfig;
import dev.sluice.config.PortRange;
import dev.sluice.config.RuleConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Rules that can never match because an earlier rule matches everything they do: first match wins, so they are dead
 * (usually a rule written below a broader one). Conservative: a rule is reported only when every criterion of the
 * earlier rule is provably at least as broad as the later rule's, one criterion at a time; what cannot be compared
 * (two different host regexes, a host list against a regex, a range of ports only several rules cover together)
 * counts as not covered. So a warning is never false, and some dead rules go unreported.
 *
 * <p>Call rules (matching {@code grpc:}) are compared with call rules only, connection rules with connection rules:
 * {@link Policy} never lets one kind decide for the other.
 */
public final class ShadowedRules {
    private static final List<PortRange> ANY_PORT = List.of(new PortRange(1, 65535));
    private static final List<Cidr> ANY_CLIENT = List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));

    private ShadowedRules() {
    }

    /**
     * A dead rule and the first earlier rule that matches everything it does.
     *
     * @param index its position in {@code rules:}
     */
    public record Shadowed(int index, RuleConfig rule, RuleConfig by) {
        /** {@code FILE:LINE: warning: rules[i] 'name' can never match: ...}, the way editors and CI read it. */
        public String warning(String source) {
            return source + ":" + rule.line() + ": warning: rules[" + index + "] '" + rule.name()
                    + "' can never match: rule '" + by.name() + "' (line " + by.line() + ") matches everything it does";
        }
    }

    /** Every rule of {@code rules} (in order) that an earlier one shadows, in order. */
    public static List<Shadowed> in(List<RuleConfig> rules) {
        List<Shadowed> shadowed = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleConfig later = rules.get(i);
            for (RuleConfig earlier : rules.subList(0, i)) {
                if (covers(earlier.match(), later.match())) {
                    shadowed.add(new Shadowed(i, later, earlier));
                    break;
                }
            }
        }
        return shadowed;
    }

    /** Whether {@code earlier} matches every connection, ClientHello and call that {@code later} matches. */
    static boolean covers(MatchConfig earlier, MatchConfig later) {
        return (earlier.grpc() == null) == (later.grpc() == null)
                && namesCover(earlier.hosts(), later.hosts())
                && regexCovers(earlier.hostRegex(), later.hostRegex())
                && portsCover(earlier.ports(), later.ports())
                && clientsCover(earlier.clients(), later.clients())
                && namesCover(earlier.sni(), later.sni())
                && (earlier.alpn().isEmpty() || !later.alpn().isEmpty() && earlier.alpn().containsAll(later.alpn()))
                && (earlier.grpcClient() == null || earlier.grpcClient().equals(later.grpcClient()))
                && (earlier.grpc() == null || callsCover(earlier.grpc(), later.grpc()));
    }

    /** Host or SNI lists: each of the later's patterns within one of the earlier's; no list is any name. */
    private static boolean namesCover(List<String> earlier, List<String> later) {
        if (earlier.isEmpty()) {
            return true;
        }
        return !later.isEmpty() && later.stream().allMatch(name -> earlier.stream().anyMatch(e -> nameCovers(e, name)));
    }

    /**
     * {@code *.example.com} covers {@code a.example.com}, {@code *.example.com} and {@code *.a.example.com} but not
     * {@code example.com} (see {@link RuleMatcher}); an exact name covers only itself. Both are normalized already.
     */
    private static boolean nameCovers(String earlier, String later) {
        if (earlier.equals(later)) {
            return true;
        }
        if (!earlier.startsWith("*.")) {
            return false;
        }
        String suffix = earlier.substring(1);
        boolean laterIsGlob = later.startsWith("*.");
        String laterName = laterIsGlob ? later.substring(1) : later;
        return laterName.endsWith(suffix) && (laterIsGlob || laterName.length() > suffix.length());
    }

    private static boolean regexCovers(Pattern earlier, Pattern later) {
        return earlier == null
                || later != null && earlier.pattern().equals(later.pattern()) && earlier.flags() == later.flags();
    }

    /** Each of the later's ranges (all ports when it has none) within the union of the earlier's. */
    private static boolean portsCover(List<PortRange> earlier, List<PortRange> later) {
        if (earlier.isEmpty()) {
            return true;
        }
        List<PortRange> sorted = earlier.stream().sorted(Comparator.comparingInt(PortRange::from)).toList();
        for (PortRange range : later.isEmpty() ? ANY_PORT : later) {
            int next = range.from();
            for (PortRange e : sorted) {
                if (e.from() <= next && e.to() >= next) {
                    next = e.to() + 1;
                }
            }
            if (next <= range.to()) {
                return false;
            }
        }
        return true;
    }

    /** Each of the later's blocks (every address when it has none) inside one of the earlier's. */
    private static boolean clientsCover(List<Cidr> earlier, List<Cidr> later) {
        if (earlier.isEmpty()) {
            return true;
        }
        return (later.isEmpty() ? ANY_CLIENT : later).stream().allMatch(block -> earlier.stream().anyMatch(e ->
                e.network().getAddress().length == block.network().getAddress().length
                        && e.prefixLength() <= block.prefixLength() && e.contains(block.network())));
    }

    private static boolean callsCover(GrpcMethodPattern earlier, GrpcMethodPattern later) {
        return globCovers(earlier.service(), later.service()) && globCovers(earlier.method(), later.method());
    }

    /**
     * {@code *}, the same text, or a glob with one {@code *} whose fixed start and end every name the later glob
     * matches has ({@code Get*} covers {@code GetAll} and {@code GetAll*}); globs with more stars cover only themselves.
     * Case is ignored, as {@link GrpcMethodPattern} ignores it (rule names are ASCII).
     */
    private static boolean globCovers(String earlierGlob, String laterGlob) {
        String earlier = earlierGlob.toLowerCase(Locale.ROOT);
        String later = laterGlob.toLowerCase(Locale.ROOT);
        if (earlier.equals(GrpcMethodPattern.ANY) || earlier.equals(later)) {
            return true;
        }
        int star = earlier.indexOf('*');
        if (star < 0 || earlier.indexOf('*', star + 1) >= 0) {
            return false;
        }
        String start = earlier.substring(0, star);
        String end = earlier.substring(star + 1);
        return later.length() >= start.length() + end.length() && later.startsWith(start) && later.endsWith(end);
    }
}
