package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.InternalStatus;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcAnswerTest {
    @Test
    void aDeniedCallIsPermissionDeniedNamingTheRule() {
        GrpcAnswer answer = GrpcAnswer.denied("no-admin");

        assertThat(answer.code()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
        assertThat(answer.message()).isEqualTo("sluice: call denied by rule no-admin");
        assertThat(answer.rule()).isEqualTo("no-admin");
    }

    @Test
    void aTrailersOnlyResponseIsAComplete200WithTheStatus() {
        Http2Headers headers = GrpcAnswer.unavailable("upstream connection closed").trailersOnly();

        assertThat(headers.status()).hasToString("200");
        assertThat(headers.get("content-type")).hasToString("application/grpc");
        assertThat(headers.get("grpc-status")).hasToString(Integer.toString(Status.Code.UNAVAILABLE.value()));
        assertThat(headers.get("grpc-message")).hasToString("sluice: upstream connection closed");
    }

    @Test
    void trailersCarryTheStatusAndNoHead() {
        Http2Headers headers = GrpcAnswer.denied("r").trailers();

        assertThat(headers.status()).isNull();
        assertThat(headers.get("content-type")).isNull();
        assertThat(headers.get("grpc-status")).hasToString("7");
        assertThat(headers.get("grpc-message")).hasToString("sluice: call denied by rule r");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "plain text, (punctuation) ~!|plain text, (punctuation) ~!",
            "100% sure|100%25 sure",
            "r\u00e8gle \u2014 \u00fcn\u00efcode|r%C3%A8gle %E2%80%94 %C3%BCn%C3%AFcode"})
    void theMessageIsPercentEncodedAsGrpcSpecifies(String text, String encoded) {
        assertThat(GrpcAnswer.percentEncoded(text).toString()).isEqualTo(encoded);
    }

    @Test
    void controlCharactersAreEncodedToo() {
        assertThat(GrpcAnswer.percentEncoded("tab\tline\ndel\u007f").toString()).isEqualTo("tab%09line%0Adel%7F");
    }

    @Test
    void grpcJavaReadsTheEncodedMessageBackAsTheText() {
        String text = "sluice: call denied by rule r\u00e8gle-100%";
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("grpc-message", Metadata.ASCII_STRING_MARSHALLER),
                GrpcAnswer.percentEncoded(text).toString());

        assertThat(trailers.get(InternalStatus.MESSAGE_KEY)).isEqualTo(text);
    }

    @ParameterizedTest
    @EnumSource(value = Http2Error.class, names = {"REFUSED_STREAM", "CANCEL", "ENHANCE_YOUR_CALM",
            "INADEQUATE_SECURITY"})
    void resetsGrpcGivesAMeaningOfTheirOwnArePassedOn(Http2Error error) {
        assertThat(GrpcAnswer.forUpstreamReset(error)).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Http2Error.class, names = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR",
            "FLOW_CONTROL_ERROR", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "COMPRESSION_ERROR", "CONNECT_ERROR",
            "HTTP_1_1_REQUIRED"})
    void otherResetsBecomeUnavailableNamingTheCode(Http2Error error) {
        GrpcAnswer answer = GrpcAnswer.forUpstreamReset(error);

        assertThat(answer.code()).isEqualTo(Status.Code.UNAVAILABLE.value());
        assertThat(answer.message()).isEqualTo("sluice: upstream reset the stream (" + error.name() + ")");
        assertThat(answer.rule()).isNull();
    }
}
