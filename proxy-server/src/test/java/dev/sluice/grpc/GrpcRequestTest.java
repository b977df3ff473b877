package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcRequestTest {
    private static Http2Headers head(String contentType, String path) {
        Http2Headers head = new DefaultHttp2Headers().method("POST").path(path);
        if (contentType != null) {
            head.set("content-type", contentType);
        }
        return head;
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/grpc", "application/grpc+proto", "application/grpc+json",
            "Application/GRPC", "application/grpc;charset=utf-8"})
    void aGrpcContentTypeMakesACall(String contentType) {
        assertThat(GrpcRequest.of(head(contentType, "/pkg.Svc/Get"))).isEqualTo(new GrpcRequest("pkg.Svc", "Get"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/grpc-web", "application/grpcx", "text/plain"})
    void anyOtherContentTypeIsNoCall(String contentType) {
        assertThat(GrpcRequest.of(head(contentType, "/pkg.Svc/Get"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/pkg.Svc", "/pkg.Svc/", "//Get", "/a/b/c", "/pkg.Svc/Get?x=1", "pkg.Svc/Get"})
    void aPathOfAnotherShapeNamesNothing(String path) {
        GrpcRequest request = GrpcRequest.of(head("application/grpc", path));

        assertThat(request).isNotNull();
        assertThat(request.named()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"/grpc.health.v1.Health/Check, grpc.health.v1.Health, Check", "/S/m, S, m"})
    void serviceAndMethodComeFromThePath(String path, String service, String method) {
        assertThat(GrpcRequest.of(head("application/grpc", path))).isEqualTo(new GrpcRequest(service, method));
    }

    @Test
    void noContentTypeIsNoCall() {
        assertThat(GrpcRequest.of(head(null, "/pkg.Svc/Get"))).isNull();
    }
}
