package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * The text of a rule's {@code client:}, {@code port:} and {@code grpc:} criteria: {@link Cidr}, {@link PortRange} and
 * {@link GrpcMethodPattern} accept it or refuse it with an {@link IllegalArgumentException}, nothing else; what they
 * accept prints back to itself and holds exactly what it should (a block its own network and nothing past its
 * prefix, a range both ends and nothing beyond, a glob every simple-case spelling of the names it was made of).
 */
class MatchCriteriaFuzzTest {
    @FuzzTest
    void criteriaParseOrRefuseAndHoldWhatTheySay(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        checkCidr(text);
        checkPortRange(text);
        int slash = text.indexOf('/');
        checkGlob(slash < 0 ? text : text.substring(0, slash), slash < 0 ? "*" : text.substring(slash + 1));
    }

    private static void checkCidr(String text) {
        Cidr block;
        try {
            block = Cidr.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(Cidr.parse(block.toString())).as("%s printed and parsed again", block).isEqualTo(block);
        assertThat(block.contains(block.network())).as("%s holds its network", block).isTrue();
        byte[] bytes = block.network().getAddress();
        int bits = bytes.length * 8;
        if (block.prefixLength() > 0) {
            assertThat(block.contains(flipped(bytes, block.prefixLength() - 1))).as("%s: last bit of the prefix", block)
                    .isFalse();
        }
        if (block.prefixLength() < bits) {
            assertThat(block.contains(flipped(bytes, bits - 1))).as("%s: a host bit", block).isTrue();
        }
    }

    private static InetAddress flipped(byte[] network, int bit) {
        byte[] b = network.clone();
        b[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void checkPortRange(String text) {
        PortRange range;
        try {
            range = PortRange.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(PortRange.parse(range.toString())).isEqualTo(range);
        assertThat(range.from()).isBetween(1, range.to());
        assertThat(range.to()).isLessThanOrEqualTo(65535);
        assertThat(range.contains(range.from()) && range.contains(range.to())).isTrue();
        assertThat(range.contains(range.from() - 1) || range.contains(range.to() + 1)).isFalse();
    }

    private static void checkGlob(String service, String method) {
        GrpcMethodPattern glob = new GrpcMethodPattern(service, method);
        String callService = service.replace("*", "");
        String callMethod = method.replace("*", "");
        assertThat(glob.matches(callService, callMethod)).as("%s names %s/%s", glob, callService, callMethod).isTrue();
        assertThat(glob.matches(simpleUpperCase(callService), simpleUpperCase(callMethod))).as("in upper case").isTrue();
    }

    /** Upper case code point by code point, as a server comparing names without regard to case does. */
    private static String simpleUpperCase(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> out.appendCodePoint(Character.toUpperCase(c)));
        return out.toString();
    }
}
