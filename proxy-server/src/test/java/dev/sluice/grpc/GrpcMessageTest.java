package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2, "Status-Message"); a bad encoding is kept, not failed. */
class GrpcMessageTest {
    /** A header value as the HPACK decoder gives it: one char per byte. */
    private static AsciiString wire(String text) {
        return new AsciiString(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not found|not found",
            "100%25 sure|100% sure",
            "a%20b|a b",
            "%C3%BCn%C3%AFcode|\u00fcn\u00efcode",
            "%c3%bc lower-case hex|\u00fc lower-case hex",
            "%E2%82%AC and %F0%9F%98%80|\u20ac and \ud83d\ude00"})
    void percentEncodedUtf8IsDecoded(String encoded, String decoded) {
        assertThat(GrpcMessage.decode(wire(encoded))).isEqualTo(decoded);
    }

    @Test
    void controlCharactersAreDecodedToo() {
        // the access log escapes them; the view keeps the text the client would see
        assertThat(GrpcMessage.decode(wire("line%0Abreak\"%22"))).isEqualTo("line\nbreak\"\"");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "50%|50%",
            "50% off|50% off",
            "%zz|%zz",
            "%4|%4",
            "%%41|%A"})
    void aBrokenPercentEncodingIsKeptAsItIs(String encoded, String decoded) {
        assertThat(GrpcMessage.decode(wire(encoded))).isEqualTo(decoded);
    }

    @Test
    void invalidUtf8BecomesTheReplacementCharacter() {
        assertThat(GrpcMessage.decode(wire("bad %C3( byte"))).isEqualTo("bad \ufffd( byte");
    }

    @Test
    void rawUtf8BytesAreReadAsUtf8() {
        assertThat(GrpcMessage.decode(new AsciiString("\u00fc".getBytes(StandardCharsets.UTF_8)))).isEqualTo("\u00fc");
    }

    @Test
    void textThatIsNotBytesIsLeftAlone() {
        assertThat(GrpcMessage.decode("denied by \u2603 %41")).isEqualTo("denied by \u2603 %41");
    }

    @Test
    void aLongMessageIsCut() {
        assertThat(GrpcMessage.decode(wire("x".repeat(5000)))).hasSize(GrpcMessage.MAX_CHARS);
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String text = GrpcMessage.decode(wire("x".repeat(GrpcMessage.MAX_CHARS - 1) + "%F0%9F%98%80"));

        assertThat(text).isEqualTo("x".repeat(GrpcMessage.MAX_CHARS - 1));
    }
}
