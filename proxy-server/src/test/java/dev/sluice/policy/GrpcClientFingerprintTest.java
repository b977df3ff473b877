package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcClientFingerprintTest {
    @ParameterizedTest(name = "{0} offering [{1}]: {2}")
    @CsvSource({
            // client                          ALPN offers          looks like gRPC
            "grpc-java,                        h2,                  true",
            "grpc-go,                          h2,                  true",
            "grpc-core (C++ Python Ruby C#),   grpc-exp h2,         true",
            "grpc-exp alone,                   grpc-exp,            true",
            "curl --http2-prior-knowledge,     h2,                  true",
            "OkHttp,                           h2 http/1.1,         false",
            "browsers,                         h2 http/1.1,         false",
            "curl,                             h2 http/1.1,         false",
            "JDK HttpClient,                   h2 http/1.1,         false",
            "http/1.1 first,                   http/1.1 h2,         false",
            "grpc-exp beside http/1.1,         grpc-exp http/1.1,   false",
            "HTTP/1.1 only,                    http/1.1,            false",
            "no ALPN at all,                   '',                  false",
            "other protocols,                  h3 spdy/3.1,         false",
            "h2c is not h2,                    h2c,                 false",
    })
    void h2OrGrpcExpWithoutHttp11(String client, String offers, boolean grpc) {
        assertThat(GrpcClientFingerprint.matches(alpn(offers))).as(client).isEqualTo(grpc);
    }

    static List<String> alpn(String spaceSeparated) {
        return spaceSeparated.isEmpty() ? List.of() : Arrays.asList(spaceSeparated.split(" "));
    }
}
