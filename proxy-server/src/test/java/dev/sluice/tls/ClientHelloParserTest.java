package dev.sluice.tls;

import static dev.sluice.tls.ClientHelloFixtures.jdkClientHello;
import static dev.sluice.tls.ClientHelloFixtures.jdkTls12ClientHello;
import static dev.sluice.tls.ClientHelloFixtures.nettyClientHello;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.tls.ClientHelloResult.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClientHelloParserTest {
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;
    private static final int SUPPORTED_VERSIONS = 43;

    private final ClientHelloParser parser = new ClientHelloParser();

    // ---- real ClientHellos, captured from TLS stacks at test time ----

    @Test
    void readsSniAlpnAndTls13FromAJdkClientHello() throws Exception {
        ClientHello hello = parsed(jdkClientHello("api.example.com", "h2", "http/1.1"));

        assertThat(hello).isEqualTo(new ClientHello(0x0303, "api.example.com", List.of("h2", "http/1.1"), true));
    }

    @Test
    void keepsUnknownAlpnTokensVerbatimAndInOrder() throws Exception {
        assertThat(parsed(jdkClientHello("api.example.com", "grpc-exp", "h2")).alpnProtocols())
                .containsExactly("grpc-exp", "h2");
    }

    @Test
    void reportsNoSniAndNoAlpnWhenTheClientSendsNeither() throws Exception {
        ClientHello hello = parsed(jdkClientHello(null));

        assertThat(hello.serverName()).isNull();
        assertThat(hello.alpnProtocols()).isEmpty();
    }

    @Test
    void aTls12OnlyClientDoesNotOfferTls13() throws Exception {
        ClientHello hello = parsed(jdkTls12ClientHello());

        assertThat(hello.offersTls13()).isFalse();
        assertThat(hello.serverName()).isEqualTo("api.example.com");
        assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
    }

    @Test
    void readsABoringSslClientHello() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "netty-tcnative BoringSSL not available");

        assertThat(parsed(nettyClientHello(SslProvider.OPENSSL)))
                .isEqualTo(new ClientHello(0x0303, "api.example.com", List.of("h2", "http/1.1"), true));
    }

    @Test
    void readsANettyJdkProviderClientHello() throws Exception {
        assertThat(parsed(nettyClientHello(SslProvider.JDK)))
                .isEqualTo(new ClientHello(0x0303, "api.example.com", List.of("h2", "http/1.1"), true));
    }

    static Stream<Arguments> realClientHellos() throws Exception {
        Stream.Builder<Arguments> hellos = Stream.builder();
        hellos.add(Arguments.of("JDK TLS 1.3", jdkClientHello("api.example.com", "h2", "http/1.1")));
        hellos.add(Arguments.of("JDK TLS 1.2", jdkTls12ClientHello()));
        hellos.add(Arguments.of("JDK without SNI/ALPN", jdkClientHello(null)));
        if (OpenSsl.isAvailable()) {
            hellos.add(Arguments.of("BoringSSL", nettyClientHello(SslProvider.OPENSSL)));
        }
        return hellos.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClientHellos")
    void needsMoreUntilTheLastByteArrivesOneByteAtATime(String name, byte[] flight) {
        ClientHello whole = parsed(flight);
        ByteBuf cumulation = ByteBufAllocator.DEFAULT.buffer();
        try {
            for (int i = 0; i < flight.length - 1; i++) {
                cumulation.writeByte(flight[i]);
                assertThat(parser.parse(cumulation).kind()).as("after %d bytes", i + 1).isEqualTo(Kind.NEED_MORE);
            }
            cumulation.writeByte(flight[flight.length - 1]);
            assertThat(parser.parse(cumulation).clientHello()).isEqualTo(whole);
            assertThat(cumulation.readerIndex()).isZero();
        } finally {
            cumulation.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClientHellos")
    void reassemblesAClientHelloSplitAcrossTwoRecords(String name, byte[] flight) {
        byte[] message = Arrays.copyOfRange(flight, 5, flight.length);
        int half = message.length / 2;

        byte[] reframed = concat(record(HANDSHAKE, Arrays.copyOfRange(message, 0, half)),
                record(HANDSHAKE, Arrays.copyOfRange(message, half, message.length)));

        assertThat(parsed(reframed)).isEqualTo(parsed(flight));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClientHellos")
    void reassemblesAHandshakeHeaderSplitAcrossRecords(String name, byte[] flight) {
        byte[] message = Arrays.copyOfRange(flight, 5, flight.length);

        byte[] reframed = concat(record(HANDSHAKE, Arrays.copyOfRange(message, 0, 1)),
                record(HANDSHAKE, Arrays.copyOfRange(message, 1, 3)),
                record(HANDSHAKE, Arrays.copyOfRange(message, 3, message.length)));

        assertThat(parsed(reframed)).isEqualTo(parsed(flight));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClientHellos")
    void ignoresWhateverFollowsACompleteClientHello(String name, byte[] flight) {
        byte[] withEarlyData = concat(flight, record(23, new byte[] {1, 2, 3}), "junk".getBytes(StandardCharsets.US_ASCII));

        assertThat(parsed(withEarlyData)).isEqualTo(parsed(flight));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realClientHellos")
    void neverThrowsOnCorruptedOrTruncatedClientHellos(String name, byte[] flight) {
        Random random = new Random(42);
        for (int i = 0; i < flight.length; i++) {
            for (int value : new int[] {0x00, 0xFF, flight[i] ^ 0x01, random.nextInt(256)}) {
                byte[] corrupted = flight.clone();
                corrupted[i] = (byte) value;
                assertThat(parse(corrupted)).isNotNull();
                assertThat(parse(Arrays.copyOf(corrupted, random.nextInt(flight.length)))).isNotNull();
            }
        }
    }

    // ---- hand-built ClientHellos ----

    @Test
    void lowerCasesTheSniHostName() {
        ClientHello hello = parsed(record(HANDSHAKE, clientHello(sni(host("API.Example.COM")))));

        assertThat(hello.serverName()).isEqualTo("api.example.com");
    }

    @Test
    void acceptsAClientHelloWithoutAnyExtensions() {
        byte[] noExtensions = concat(new byte[] {3, 1}, new byte[32], new byte[] {0, 0, 2, 0, 0x2f, 1, 0});

        assertThat(parsed(record(HANDSHAKE, handshake(CLIENT_HELLO, noExtensions))))
                .isEqualTo(new ClientHello(0x0301, null, List.of(), false));
    }

    @Test
    void refusesARecordLongerThanAConfiguredBound() {
        byte[] hello = record(HANDSHAKE, clientHello(extension(0x15, new byte[600])));

        assertThat(parse(new ClientHelloParser(512), hello).kind()).isEqualTo(Kind.TOO_LARGE);
        assertThat(parse(hello).kind()).isEqualTo(Kind.PARSED);
    }

    @Test
    void refusesAClientHelloLongerThanTheBoundAsSoonAsItsHeaderArrives() {
        byte[] header = {HANDSHAKE, 3, 1, 0, 4, CLIENT_HELLO, 0x01, 0x00, 0x00}; // claims a 64 KiB message

        assertThat(parse(header).kind()).isEqualTo(Kind.TOO_LARGE);
    }

    @Test
    void refusesAFlightOfManyTinyRecordsBeyondTwiceTheBound() {
        byte[] message = clientHello(extension(0x15, new byte[300]));
        ByteArrayOutputStream tiny = new ByteArrayOutputStream();
        for (byte b : message) {
            tiny.writeBytes(record(HANDSHAKE, new byte[] {b}));
        }

        assertThat(parse(new ClientHelloParser(512), tiny.toByteArray()).kind()).isEqualTo(Kind.TOO_LARGE);
        assertThat(parse(tiny.toByteArray()).kind()).isEqualTo(Kind.PARSED);
    }

    static Stream<Arguments> notClientHellos() {
        byte[] validHello = clientHello(sni(host("api.example.com")));
        return Stream.of(
                fixture("plain HTTP", ascii("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), Kind.NOT_TLS, null),
                fixture("SSLv2-style hello", new byte[] {(byte) 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15},
                        Kind.NOT_TLS, null),
                fixture("record version 2.0", new byte[] {HANDSHAKE, 2, 0}, Kind.MALFORMED, "bad record version"),
                fixture("record version 3.9", new byte[] {HANDSHAKE, 3, 9, 0, 1}, Kind.MALFORMED,
                        "bad record version"),
                fixture("empty record", new byte[] {HANDSHAKE, 3, 1, 0, 0}, Kind.MALFORMED, "empty handshake record"),
                fixture("record over 16 KiB", new byte[] {HANDSHAKE, 3, 1, 0x4e, 0x20, CLIENT_HELLO}, Kind.TOO_LARGE,
                        "record longer than the bound"),
                fixture("ServerHello", record(HANDSHAKE, handshake(2, new byte[38])), Kind.MALFORMED,
                        "not a ClientHello"),
                fixture("alert inside a split ClientHello",
                        concat(record(HANDSHAKE, Arrays.copyOf(validHello, 10)), record(21, new byte[] {2, 40})),
                        Kind.MALFORMED, "non-handshake record inside ClientHello"),
                fixture("garbage after a valid header", record(HANDSHAKE, handshake(CLIENT_HELLO, filled(40, 0xFF))),
                        Kind.MALFORMED, "bad ClientHello version"),
                fixture("body shorter than version and random", record(HANDSHAKE, handshake(CLIENT_HELLO, new byte[] {3, 3})),
                        Kind.MALFORMED, "truncated ClientHello"),
                fixture("extensions longer than the message", record(HANDSHAKE, truncatedExtensions()),
                        Kind.MALFORMED, "truncated extensions"),
                fixture("extension longer than the extensions block",
                        record(HANDSHAKE, clientHelloWithRawExtensions(new byte[] {0, 0x15, 0, 9, 0})),
                        Kind.MALFORMED, "truncated extension"),
                fixture("half an extension header",
                        record(HANDSHAKE, clientHelloWithRawExtensions(new byte[] {0, 0x15})),
                        Kind.MALFORMED, "truncated extension"),
                fixture("two ALPN extensions", record(HANDSHAKE, clientHello(alpn("h2"), alpn("h2"))),
                        Kind.MALFORMED, "duplicate extension"),
                fixture("SNI with an empty name", record(HANDSHAKE, clientHello(sni(host("")))),
                        Kind.MALFORMED, "empty SNI host name"),
                fixture("SNI with a space", record(HANDSHAKE, clientHello(sni(host("bad host.example")))),
                        Kind.MALFORMED, "SNI host name is not a DNS name"),
                fixture("SNI with an empty label", record(HANDSHAKE, clientHello(sni(host("a..example")))),
                        Kind.MALFORMED, "SNI host name is not a DNS name"),
                fixture("SNI with a trailing dot", record(HANDSHAKE, clientHello(sni(host("example.com.")))),
                        Kind.MALFORMED, "SNI host name is not a DNS name"),
                fixture("SNI with an IPv4 literal", record(HANDSHAKE, clientHello(sni(host("192.0.2.1")))),
                        Kind.MALFORMED, "SNI host name is not a DNS name"),
                fixture("SNI with a 64-byte label", record(HANDSHAKE, clientHello(sni(host("a".repeat(64) + ".com")))),
                        Kind.MALFORMED, "SNI host name is not a DNS name"),
                fixture("SNI with two host names",
                        record(HANDSHAKE, clientHello(sni(host("a.example"), host("b.example")))),
                        Kind.MALFORMED, "bad SNI list"),
                fixture("SNI with an empty list", record(HANDSHAKE, clientHello(extension(SERVER_NAME, u16(new byte[0])))),
                        Kind.MALFORMED, "bad SNI list"),
                fixture("SNI list length disagreeing with the extension",
                        record(HANDSHAKE, clientHello(extension(SERVER_NAME, concat(u16(host("a.example")), new byte[1])))),
                        Kind.MALFORMED, "bad SNI list"),
                fixture("ALPN with a zero-length protocol",
                        record(HANDSHAKE, clientHello(extension(ALPN, u16(concat(u8(ascii("h2")), new byte[] {0}))))),
                        Kind.MALFORMED, "empty ALPN protocol"),
                fixture("ALPN with an empty list", record(HANDSHAKE, clientHello(extension(ALPN, u16(new byte[0])))),
                        Kind.MALFORMED, "bad ALPN list"),
                fixture("ALPN protocol overrunning its list",
                        record(HANDSHAKE, clientHello(extension(ALPN, u16(new byte[] {5, 'h', '2'})))),
                        Kind.MALFORMED, "bad ALPN list"),
                fixture("supported_versions with an odd length",
                        record(HANDSHAKE, clientHello(extension(SUPPORTED_VERSIONS, u8(new byte[] {3, 4, 3})))),
                        Kind.MALFORMED, "bad supported_versions"));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("notClientHellos")
    void answersEveryOtherFirstFlightClearly(String name, byte[] flight, Kind kind, String reason) {
        ClientHelloResult result = parse(flight);

        assertThat(result.kind()).isEqualTo(kind);
        assertThat(result.reason()).isEqualTo(reason);
        assertThat(result.clientHello()).isNull();
    }

    @Test
    void decidesNotTlsFromTheFirstByteAlone() {
        assertThat(parse(ascii("G")).kind()).isEqualTo(Kind.NOT_TLS);
        assertThat(parse(new byte[0]).kind()).isEqualTo(Kind.NEED_MORE);
        assertThat(parse(new byte[] {HANDSHAKE}).kind()).isEqualTo(Kind.NEED_MORE);
    }

    // ---- parsing helpers: every buffer is pooled (leak-tracked) and released ----

    private ClientHelloResult parse(byte[] flight) {
        return parse(parser, flight);
    }

    private static ClientHelloResult parse(ClientHelloParser parser, byte[] flight) {
        ByteBuf buf = buffer(flight);
        try {
            ClientHelloResult result = parser.parse(buf);
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.writerIndex()).isEqualTo(flight.length);
            return result;
        } finally {
            buf.release();
        }
    }

    private ClientHello parsed(byte[] flight) {
        ClientHelloResult result = parse(flight);
        assertThat(result.kind()).as("reason: %s", result.reason()).isEqualTo(Kind.PARSED);
        return result.clientHello();
    }

    /** A leak-tracked copy the caller must release. */
    private static ByteBuf buffer(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
    }

    // ---- building records by hand ----

    private static Arguments fixture(String name, byte[] flight, Kind kind, String reason) {
        return Arguments.of(name, flight, kind, reason);
    }

    private static byte[] record(int contentType, byte[] fragment) {
        return concat(new byte[] {(byte) contentType, 3, 1}, u16(fragment));
    }

    private static byte[] handshake(int type, byte[] body) {
        return concat(new byte[] {(byte) type, (byte) (body.length >>> 16), (byte) (body.length >>> 8),
                (byte) body.length}, body);
    }

    /** A TLS 1.2-shaped ClientHello: empty session id, one suite, null compression, then the extensions. */
    private static byte[] clientHello(byte[]... extensions) {
        return clientHelloWithRawExtensions(concat(extensions));
    }

    private static byte[] clientHelloWithRawExtensions(byte[] extensions) {
        return handshake(CLIENT_HELLO, concat(helloPrefix(), u16(extensions)));
    }

    /** Extensions block that claims two bytes more than the message holds. */
    private static byte[] truncatedExtensions() {
        byte[] extensions = alpn("h2");
        byte[] length = {(byte) ((extensions.length + 2) >>> 8), (byte) (extensions.length + 2)};
        return handshake(CLIENT_HELLO, concat(helloPrefix(), length, extensions));
    }

    private static byte[] helloPrefix() {
        return concat(new byte[] {3, 3}, new byte[32], new byte[] {0, 0, 2, 0x13, 0x01, 1, 0});
    }

    private static byte[] extension(int type, byte[] data) {
        return concat(new byte[] {(byte) (type >>> 8), (byte) type}, u16(data));
    }

    private static byte[] sni(byte[]... entries) {
        return extension(SERVER_NAME, u16(concat(entries)));
    }

    private static byte[] host(String name) {
        return concat(new byte[] {0}, u16(ascii(name)));
    }

    private static byte[] alpn(String... protocols) {
        byte[][] names = Arrays.stream(protocols).map(p -> u8(ascii(p))).toArray(byte[][]::new);
        return extension(ALPN, u16(concat(names)));
    }

    private static byte[] u8(byte[] data) {
        return concat(new byte[] {(byte) data.length}, data);
    }

    private static byte[] u16(byte[] data) {
        return concat(new byte[] {(byte) (data.length >>> 8), (byte) data.length}, data);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
