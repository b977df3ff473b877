package dev.sluice.config;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * An address block ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address means a single host.
 * IPv4 blocks also match IPv4-mapped IPv6 addresses, so a dual-stack listener sees the same policy.
 */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        network = unmapped(network);
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0-" + bits + ", got " + prefixLength);
        }
        // Host bits are cleared so that 10.1.2.3/8 and 10.0.0.0/8 are the same block.
        network = masked(network, prefixLength);
    }

    /** Parses {@code addr[/len]}; the address must be a literal (no DNS). Throws IllegalArgumentException. */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = literal(addressText);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address: '" + addressText + "' (names are not allowed here)");
        }
        int written = slash < 0 ? -1 : prefix(text.substring(slash + 1));
        boolean writtenAsIpv6 = addressText.indexOf(':') >= 0;
        if (writtenAsIpv6 && address instanceof Inet4Address) {
            // ::ffff:a.b.c.d/len is the IPv4 block a.b.c.d/(len-96).
            if (written >= 0 && written < 96) {
                throw new IllegalArgumentException("an IPv4-mapped block needs a prefix length of 96-128");
            }
            return new Cidr(address, written < 0 ? 32 : written - 96);
        }
        return new Cidr(address, written < 0 ? address.getAddress().length * 8 : written);
    }

    /**
     * An IP literal ({@code 10.0.0.7}, {@code ::1}) as an address, or null when the text is anything else.
     * Never resolves names; zone ids ({@code fe80::1%eth0}) are refused.
     */
    public static InetAddress literal(String text) {
        if (text.isEmpty() || text.indexOf('%') >= 0 || text.indexOf('[') >= 0) {
            return null;
        }
        return NetUtil.createInetAddressFromIpAddressString(text);
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}); other addresses unchanged. */
    public static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) return address;
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                return byAddress(new byte[] {b[12], b[13], b[14], b[15]});
            }
        }
        return address;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = unmapped(address).getAddress();
        byte[] block = network.getAddress();
        if (candidate.length != block.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != block[i]) return false;
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (candidate[full] & mask) == (block[full] & mask);
    }

    /** Whether any of {@code blocks} holds {@code address}; a loop, not a stream, as policy runs per request. */
    public static boolean anyContains(List<Cidr> blocks, InetAddress address) {
        for (Cidr block : blocks) {
            if (block.contains(address)) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return NetUtil.toAddressString(network) + "/" + prefixLength;
    }

    private static int prefix(String text) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("prefix length must be a number, got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static InetAddress masked(InetAddress address, int prefixLength) {
        byte[] b = address.getAddress();
        for (int bit = prefixLength; bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return byAddress(b);
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
