package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcCallMeterTest {
    private static Http2Headers requestHead() {
        return new DefaultHttp2Headers().method("POST").path("/pkg.Svc/Get").set("content-type", "application/grpc");
    }

    private static GrpcCallMeter meter(Http2Headers head) {
        return new GrpcCallMeter(GrpcRequest.of(head), head);
    }

    private static void data(GrpcCallMeter meter, boolean request, int... bytes) {
        ByteBuf content = Unpooled.buffer(bytes.length);
        for (int b : bytes) content.writeByte(b);
        try {
            if (request) meter.requestData(content);
            else meter.responseData(content);
        } finally {
            content.release();
        }
    }

    @Test
    void aCallWithHeadersMessagesAndTrailers() {
        GrpcCallMeter meter = meter(requestHead().set("grpc-encoding", "gzip"));
        data(meter, true, 1, 0, 0, 0, 2, 7, 7);
        meter.response(new DefaultHttp2Headers().status("200").set("grpc-encoding", "deflate"));
        data(meter, false, 0, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0);
        meter.response(new DefaultHttp2Headers().set("grpc-status", "5").set("grpc-message", "no%20such%20thing"));

        assertThat(meter.record()).isEqualTo(new GrpcCallRecord("pkg.Svc", "Get", 5, "no such thing", "gzip",
                "deflate", 1, 2, 2, 1, null, false));
        assertThat(meter.record().statusName()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aTrailersOnlyResponseCarriesTheStatus() {
        GrpcCallMeter meter = meter(requestHead());
        meter.response(new DefaultHttp2Headers().status("200").set("content-type", "application/grpc")
                .set("grpc-status", "7").set("grpc-message", "denied by rule no-admin"));
        meter.answered(GrpcAnswer.denied("no-admin"));

        GrpcCallRecord record = meter.record();
        assertThat(record.code()).isEqualTo(7);
        assertThat(record.statusName()).isEqualTo("PERMISSION_DENIED");
        assertThat(record.message()).isEqualTo("denied by rule no-admin");
        assertThat(record.rule()).isEqualTo("no-admin");
        assertThat(record.bySluice()).isTrue();
        assertThat(record.requestEncoding()).isNull();
        assertThat(record.responseEncoding()).isNull();
    }

    @Test
    void aCallThatEndsWithoutAStatusHasNone() {
        GrpcCallMeter meter = meter(requestHead());
        meter.response(new DefaultHttp2Headers().status("200"));

        assertThat(meter.record().code()).isEqualTo(GrpcCallMeter.NO_STATUS);
        assertThat(meter.record().statusName()).isEqualTo("NONE");
        assertThat(meter.record().message()).isNull();
    }

    @Test
    void anUnnamedPathStillMakesACall() {
        GrpcCallMeter meter = meter(requestHead().path("/no-method"));

        assertThat(meter.record().service()).isNull();
        assertThat(meter.record().method()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"0,0,OK", "16,16,UNAUTHENTICATED", "17,17,OTHER", "099,99,OTHER", "'',2,UNKNOWN", "-1,2,UNKNOWN",
            "1x,2,UNKNOWN", "9999999999,2,UNKNOWN"})
    void statusCodesAreReadAsTheClientWould(String wire, int code, String name) {
        GrpcCallMeter meter = meter(requestHead());
        meter.response(new DefaultHttp2Headers().set("grpc-status", wire));

        assertThat(meter.record().code()).isEqualTo(code);
        assertThat(meter.record().statusName()).isEqualTo(name);
    }
}
