package dev.sluice.e2e;

import static dev.sluice.testing.TestOrigins.authority;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that goes silent at the front door is not held open: a request head past {@code timeouts.requestHeader}
 * gets 408, a forwarded request whose body stalls for {@code timeouts.idleClient} loses its connection, and Sluice
 * keeps serving others.
 */
class StalledClientTest {
    private static MockWebServer origin;
    private static SluiceFixture sluice;

    @BeforeAll
    static void start() {
        origin = TestOrigins.plain();
        sluice = SluiceFixture.builder()
                .connectPorts(Integer.toString(origin.getPort()))
                .yaml("""
                        timeouts: {requestHeader: 1s, idleClient: 1s, drain: 1s}
                        default: splice
                        """)
                .start();
    }

    @AfterAll
    static void stop() {
        if (sluice != null) sluice.close();
        if (origin != null) origin.close();
    }

    @AfterEach
    void anotherClientIsServed() throws IOException {
        origin.enqueue(new MockResponse.Builder().body("served").build());
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send(request("GET", "/normal", ""));
            RawResponse response = raw.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("served");
        }
    }

    @Test
    void aRequestHeadDrippedPastTheHeaderTimeoutGets408() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send("GET http://" + authority(origin.getPort()) + "/ HTTP/1.1\r\nX-Drip: ");

            assertThat(raw.readResponse().status()).isEqualTo(408);
            assertThat(raw.awaitClosedByPeer()).isTrue();
        }
    }

    @Test
    void aForwardedBodyThatStallsLosesItsConnection() throws IOException {
        try (RawProxyConnection raw = sluice.raw()) {
            raw.send(request("POST", "/upload", "Content-Length: 100\r\n") + "a part only");

            assertThat(raw.awaitClosedByPeer()).isTrue();
        }
    }

    private static String request(String method, String path, String headers) {
        return method + " http://" + authority(origin.getPort()) + path + " HTTP/1.1\r\nHost: "
                + authority(origin.getPort()) + "\r\n" + headers + "\r\n";
    }
}
