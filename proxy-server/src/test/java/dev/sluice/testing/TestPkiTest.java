package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class TestPkiTest {
    @Test
    void aClientTrustingTheTestCaSpeaksHttp2ToAnOriginWithTheServerCertificate() throws Exception {
        TestPki pki = TestPki.get();
        try (MockWebServer origin = new MockWebServer()) {
            origin.useHttps(pki.serverCertificates().sslSocketFactory());
            origin.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
            origin.enqueue(new MockResponse.Builder().body("trusted").build());
            origin.start(InetAddress.getByName("127.0.0.1"), 0);

            OkHttpClient client = new OkHttpClient.Builder()
                    .sslSocketFactory(pki.clientCertificates().sslSocketFactory(), pki.clientCertificates().trustManager())
                    .build();
            try (Response response = client.newCall(new Request.Builder()
                    .url("https://localhost:" + origin.getPort() + "/").build()).execute()) {
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                assertThat(response.body().string()).isEqualTo("trusted");
            } finally {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        }
    }
}
