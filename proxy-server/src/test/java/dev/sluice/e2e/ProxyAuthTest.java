package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.take;
import static dev.sluice.testing.TestOrigins.authority;
import static dev.sluice.testing.TestOrigins.url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.PasswordHasher;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code auth.basic} configured, only requests carrying a user's correct password get through. */
class ProxyAuthTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "correct horse battery staple";

    private static MockWebServer origin;
    private static SluiceFixture sluice;

    @BeforeAll
    static void start() {
        origin = TestOrigins.plain();
        sluice = SluiceFixture.builder()
                .yaml("""
                        auth:
                          basic:
                            realm: sluice-test
                            users:
                              %s: "%s"
                        """.formatted(USER, PasswordHasher.hash(PASSWORD.toCharArray()).encode()))
                .start();
    }

    @AfterAll
    static void stop() {
        if (sluice != null) sluice.close();
        if (origin != null) origin.close();
    }

    @Test
    void aRequestWithoutCredentialsGets407WithAChallenge() throws IOException {
        RawResponse forwarded = exchange(get(null));
        RawResponse tunnelled = exchange(connect(null));

        for (RawResponse response : new RawResponse[] {forwarded, tunnelled}) {
            assertThat(response.status()).isEqualTo(407);
            assertThat(response.header("Proxy-Authenticate")).startsWith("Basic realm=\"sluice-test\"");
            assertThat(response.header("Proxy-Status")).startsWith("sluice");
        }
        sluice.awaitMetric(2, "sluice_http_requests_total", "status", "407");
        assertThat(sluice.awaitAccessLog(l -> l.number("status") == 407).text("user")).isNull();
    }

    @Test
    void aWrongPasswordOrUnknownUserGets407() throws IOException {
        assertThat(exchange(get(basic(USER, "wrong"))).status()).isEqualTo(407);
        assertThat(exchange(get(basic("mallory", PASSWORD))).status()).isEqualTo(407);
        assertThat(exchange(get("Basic not-base64!")).status()).isEqualTo(407);
    }

    @Test
    void theRightPasswordForwardsWithoutPassingCredentialsOn() throws Exception {
        origin.enqueue(new MockResponse.Builder().body("welcome").build());

        RawResponse response = exchange(get(basic(USER, PASSWORD)));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("welcome");
        assertThat(take(origin).getHeaders().get("Proxy-Authorization")).isNull();
        String target = url("http", origin, "/private");
        assertThat(sluice.awaitAccessLog(l -> target.equals(l.text("target"))).text("user")).isEqualTo(USER);
    }

    @Test
    void okHttpAnswersTheChallengeAndTunnelsHttps() throws Exception {
        try (MockWebServer httpsOrigin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            httpsOrigin.enqueue(new MockResponse.Builder().body("tunnelled").build());
            OkHttpClient client = sluice.track(sluice.okHttpBuilder()
                    .proxyAuthenticator((route, challenge) -> challenge.request().newBuilder()
                            .header("Proxy-Authorization", Credentials.basic(USER, PASSWORD))
                            .build())
                    .build());

            try (Response response = client.newCall(new Request.Builder().url(url("https", httpsOrigin, "/"))
                    .build()).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().string()).isEqualTo("tunnelled");
            }
        }
    }

    private static RawResponse exchange(String request) throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            return raw.send(request).readResponse();
        }
    }

    private static String get(String proxyAuthorization) {
        return "GET " + url("http", origin, "/private") + " HTTP/1.1\r\n"
                + "Host: " + authority(origin.getPort()) + "\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                + "\r\n";
    }

    private static String connect(String proxyAuthorization) {
        String target = authority(origin.getPort());
        return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                + "\r\n";
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
