package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a ClientHello body (RFC 8446 §4.1.2) that lies wholly between two absolute indexes of a buffer, and
 * the three extensions Sluice reads: server_name (RFC 6066 §3), ALPN (RFC 7301 §3.1) and supported_versions
 * (RFC 8446 §4.2.1). Other extensions are skipped by length. Absolute reads only: the buffer's indexes stay put.
 */
final class ClientHelloBodyParser {
    private static final int RANDOM_LENGTH = 32;
    private static final int MAX_SESSION_ID_LENGTH = 32;
    private static final int EXTENSION_SERVER_NAME = 0;
    private static final int EXTENSION_ALPN = 16;
    private static final int EXTENSION_SUPPORTED_VERSIONS = 43;
    private static final int NAME_TYPE_HOST_NAME = 0;
    private static final int TLS_1_3 = 0x0304;
    private static final int MAX_DNS_NAME_LENGTH = 253;
    private static final int MAX_DNS_LABEL_LENGTH = 63;

    private ClientHelloBodyParser() {
    }

    /** Extension values found so far; each extension parser returns null or a failure reason. */
    private static final class Found {
        String serverName;
        List<String> alpnProtocols = List.of();
        boolean offersTls13;
    }

    static ClientHelloResult parse(ByteBuf buf, int pos, int end) {
        if (end - pos < 2 + RANDOM_LENGTH + 1) {
            return ClientHelloResult.malformed("truncated ClientHello");
        }
        int legacyVersion = buf.getUnsignedShort(pos);
        if (legacyVersion >>> 8 != 3) {
            return ClientHelloResult.malformed("bad ClientHello version");
        }
        pos += 2 + RANDOM_LENGTH;
        int sessionIdLength = buf.getUnsignedByte(pos++);
        if (sessionIdLength > MAX_SESSION_ID_LENGTH || sessionIdLength > end - pos) {
            return ClientHelloResult.malformed("bad session id");
        }
        pos += sessionIdLength;
        if (end - pos < 2) {
            return ClientHelloResult.malformed("truncated ClientHello");
        }
        int suitesLength = buf.getUnsignedShort(pos);
        pos += 2;
        if (suitesLength < 2 || suitesLength % 2 != 0 || suitesLength > end - pos) {
            return ClientHelloResult.malformed("bad cipher suite list");
        }
        pos += suitesLength;
        if (end - pos < 1) {
            return ClientHelloResult.malformed("truncated ClientHello");
        }
        int compressionLength = buf.getUnsignedByte(pos++);
        if (compressionLength < 1 || compressionLength > end - pos) {
            return ClientHelloResult.malformed("bad compression methods");
        }
        pos += compressionLength;
        Found found = new Found();
        if (pos < end) { // a pre-extensions (TLS 1.0-era) ClientHello simply ends here
            String failure = parseExtensions(buf, pos, end, found);
            if (failure != null) {
                return ClientHelloResult.malformed(failure);
            }
        }
        return ClientHelloResult.parsed(
                new ClientHello(legacyVersion, found.serverName, found.alpnProtocols, found.offersTls13));
    }

    private static String parseExtensions(ByteBuf buf, int pos, int end, Found found) {
        if (end - pos < 2) {
            return "truncated extensions";
        }
        int length = buf.getUnsignedShort(pos);
        pos += 2;
        if (length > end - pos) {
            return "truncated extensions";
        }
        if (length < end - pos) {
            return "trailing bytes after extensions";
        }
        int[] types = new int[length / 4];
        int count = 0;
        while (pos < end) {
            if (end - pos < 4) {
                return "truncated extension";
            }
            int type = buf.getUnsignedShort(pos);
            int dataLength = buf.getUnsignedShort(pos + 2);
            pos += 4;
            if (dataLength > end - pos) {
                return "truncated extension";
            }
            types[count++] = type;
            String failure = switch (type) {
                case EXTENSION_SERVER_NAME -> parseServerName(buf, pos, dataLength, found);
                case EXTENSION_ALPN -> parseAlpn(buf, pos, dataLength, found);
                case EXTENSION_SUPPORTED_VERSIONS -> parseSupportedVersions(buf, pos, dataLength, found);
                default -> null;
            };
            if (failure != null) {
                return failure;
            }
            pos += dataLength;
        }
        // RFC 8446 §4.2: no two extensions of one type. Sorting beats a quadratic scan on hostile input.
        Arrays.sort(types, 0, count);
        for (int i = 1; i < count; i++) {
            if (types[i] == types[i - 1]) {
                return "duplicate extension";
            }
        }
        return null;
    }

    private static String parseServerName(ByteBuf buf, int pos, int length, Found found) {
        if (length < 2 || buf.getUnsignedShort(pos) != length - 2 || length == 2) {
            return "bad SNI list";
        }
        int end = pos + length;
        pos += 2;
        while (pos < end) {
            if (end - pos < 3) {
                return "bad SNI list";
            }
            int nameType = buf.getUnsignedByte(pos);
            int nameLength = buf.getUnsignedShort(pos + 1);
            pos += 3;
            if (nameLength > end - pos) {
                return "bad SNI list";
            }
            // Every name type defined so far is length-prefixed like host_name, so unknown ones are skipped.
            if (nameType == NAME_TYPE_HOST_NAME) {
                if (found.serverName != null) {
                    return "bad SNI list"; // RFC 6066 §3: at most one name per type
                }
                if (nameLength == 0) {
                    return "empty SNI host name";
                }
                found.serverName = dnsName(buf, pos, nameLength);
                if (found.serverName == null) {
                    return "SNI host name is not a DNS name";
                }
            }
            pos += nameLength;
        }
        return null;
    }

    /**
     * The lower-cased host name, or null unless it is letters, digits, hyphens and underscores (seen in real
     * host names) in dot-separated labels of 1-63 bytes, at most 253 bytes, without a trailing dot, and not an
     * IP literal (RFC 6066 §3 forbids both; an all-digit last label is how an IPv4 literal shows).
     */
    private static String dnsName(ByteBuf buf, int pos, int length) {
        if (length > MAX_DNS_NAME_LENGTH) {
            return null;
        }
        byte[] lower = new byte[length];
        int labelLength = 0;
        boolean labelAllDigits = true;
        for (int i = 0; i < length; i++) {
            int c = buf.getUnsignedByte(pos + i);
            if (c == '.') {
                if (labelLength == 0) {
                    return null;
                }
                labelLength = 0;
                labelAllDigits = true;
            } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c >= 'A' && c <= 'Z') {
                if (++labelLength > MAX_DNS_LABEL_LENGTH) {
                    return null;
                }
                labelAllDigits &= c >= '0' && c <= '9';
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
            } else {
                return null;
            }
            lower[i] = (byte) c;
        }
        if (labelLength == 0 || labelAllDigits) {
            return null;
        }
        return new String(lower, StandardCharsets.US_ASCII);
    }

    private static String parseAlpn(ByteBuf buf, int pos, int length, Found found) {
        // RFC 7301 §3.1: protocol_name_list<2..2^16-1>, each ProtocolName<1..2^8-1>.
        if (length < 2 || buf.getUnsignedShort(pos) != length - 2 || length == 2) {
            return "bad ALPN list";
        }
        int end = pos + length;
        pos += 2;
        List<String> protocols = new ArrayList<>();
        while (pos < end) {
            int nameLength = buf.getUnsignedByte(pos++);
            if (nameLength == 0) {
                return "empty ALPN protocol";
            }
            if (nameLength > end - pos) {
                return "bad ALPN list";
            }
            // ISO-8859-1 keeps every byte, the convention JDK TLS uses for ALPN strings, so tokens pass on intact.
            protocols.add(buf.toString(pos, nameLength, StandardCharsets.ISO_8859_1));
            pos += nameLength;
        }
        found.alpnProtocols = protocols;
        return null;
    }

    private static String parseSupportedVersions(ByteBuf buf, int pos, int length, Found found) {
        // RFC 8446 §4.2.1, ClientHello form: versions<2..254>, two bytes each.
        if (length < 1) {
            return "bad supported_versions";
        }
        int listLength = buf.getUnsignedByte(pos);
        if (listLength != length - 1 || listLength < 2 || listLength % 2 != 0) {
            return "bad supported_versions";
        }
        for (int i = pos + 1; i < pos + length; i += 2) {
            found.offersTls13 |= buf.getUnsignedShort(i) == TLS_1_3;
        }
        return null;
    }
}
