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
            "Application/GRPC", "application/grpc;charset=utf-8", "application/grpc-web", "application/grpc-web+proto",
            "application/grpc-web-text", "application/grpc-web-text+proto", "Application/gRPC-Web;charset=utf-8"})
    void aGrpcContentTypeMakesACall(String contentType) {
        assertThat(GrpcRequest.of(head(contentType, "/pkg.Svc/Get"))).isEqualTo(new GrpcRequest("pkg.Svc", "Get"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/grpcx", "application/grpc-webx", "application/grpc-text",
            "text/plain"})
    void anyOtherContentTypeIsNoCall(String contentType) {
        assertThat(GrpcRequest.of(head(contentType, "/pkg.Svc/Get"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/pkg.Svc", "/pkg.Svc/", "//Get", "/pkg.Svc/Get/..", "/?/pkg.Svc/Get", "/%2F"})
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

    /**
     * Origins and fronts that normalize a path before routing (Go's net/http under grpc-go's ServeHTTP and connect-go,
     * Envoy's normalize_path and merge_slashes) serve these as pkg.Svc/Delete, so call rules must see that too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/pkg.Svc/Delete?x=1", "/pkg.Svc/Delete#x", "/pkg.Svc/%44elete", "/pkg%2ESvc/Delete",
            "/pkg.Svc%2FDelete", "//pkg.Svc//Delete", "/pkg.Svc/Delete/", "/pkg.Svc/./Delete", "/pkg.Svc/x/../Delete",
            "pkg.Svc/Delete", "/prefix/pkg.Svc/Delete"})
    void aPathAnOriginMayNormalizeNamesWhatItWouldRouteTo(String path) {
        assertThat(GrpcRequest.of(head("application/grpc", path))).isEqualTo(new GrpcRequest("pkg.Svc", "Delete"));
    }

    @ParameterizedTest
    @CsvSource({"/pkg.Svc/%C3%A9t%C3%A9, \u00e9t\u00e9", "/pkg.Svc/100%, 100%", "/pkg.Svc/%4, %4", "/pkg.Svc/%zz, %zz"})
    void percentEscapesAreDecodedAsUtf8AndABrokenOneStaysAsItIs(String path, String method) {
        assertThat(GrpcRequest.of(head("application/grpc", path)).method()).isEqualTo(method);
    }

    /** Call rules gate every request by its path: the path part reads the same without a gRPC content type. */
    @ParameterizedTest
    @ValueSource(strings = {"/pkg.Svc/Delete", "/pkg.Svc/Delete?x=1", "/pkg%2ESvc/Delete", "/pkg.Svc%2FDelete",
            "pkg.Svc/Delete", "/prefix/pkg.Svc/Delete", "/static/app.js", "/", "/pkg.Svc", "/%2F", "/?/pkg.Svc/Get"})
    void aPathNamesTheSameWithoutAGrpcContentType(String path) {
        assertThat(GrpcRequest.ofPath(path)).isEqualTo(GrpcRequest.of(head("application/grpc", path)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "*", "/index.html", "index.html", "/index.html?next=/a/b", "/favicon.ico#a/b"})
    void aPathOfOneSegmentNamesNothing(String path) {
        assertThat(GrpcRequest.ofPath(path).named()).isFalse();
    }

    @Test
    void noPathNamesNothing() {
        assertThat(GrpcRequest.ofPath(null).named()).isFalse();
    }

    /** grpc-go takes a request as gRPC when any of its content-type fields says so, not only the first. */
    @Test
    void aGrpcContentTypeAfterAnotherOneStillMakesACall() {
        Http2Headers head = head("application/json", "/pkg.Svc/Delete").add("content-type", "application/grpc");

        assertThat(GrpcRequest.of(head)).isEqualTo(new GrpcRequest("pkg.Svc", "Delete"));
    }

    @Test
    void noContentTypeIsNoCall() {
        assertThat(GrpcRequest.of(head(null, "/pkg.Svc/Get"))).isNull();
    }
}
