package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bridged connection serves only the host its TLS session is for (the harness's is {@code 127.0.0.1}): a request
 * whose {@code :authority} or any {@code host} field names another host is answered {@code 421} and never reaches
 * the origin. Origins such as nginx route a request without {@code :authority} by its {@code host} field, so that
 * field is checked as strictly as the pseudo-header.
 */
class H2BridgeAuthorityTest {
    private final AtomicInteger reached = new AtomicInteger();
    private ScriptedH2Origin origin;
    private BridgeHarness bridge;
    private RawH2Client client;

    @BeforeEach
    void start() throws Exception {
        origin = new ScriptedH2Origin(new Http2Settings(), (stream, head) -> {
            reached.incrementAndGet();
            ScriptedH2Origin.respond(stream, "origin");
        });
        bridge = BridgeHarness.cleartext(origin.port());
        client = new RawH2Client(bridge.port());
    }

    @AfterEach
    void stop() {
        client.close();
        bridge.close();
        origin.close();
    }

    @Test
    void withoutAuthorityAHostFieldNamingAnotherHostIsMisdirected() throws Exception {
        assertMisdirected(request().add("host", "elsewhere.test"));
    }

    @Test
    void everyHostFieldMustNameTheBumpedHost() throws Exception {
        assertMisdirected(request().add("host", "127.0.0.1").add("host", "elsewhere.test:443"));
    }

    @Test
    void aHostFieldBesideTheAuthorityMustNameTheBumpedHostToo() throws Exception {
        assertMisdirected(request().authority("127.0.0.1").add("host", "elsewhere.test"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:8443", "127.0.0.1."})
    void withoutAuthorityAHostFieldNamingTheBumpedHostReachesTheOrigin(String host) throws Exception {
        assertThat(client.request(request().add("host", host)).status().toString()).isEqualTo("200");

        assertThat(reached).hasValue(1);
    }

    @Test
    void aRequestNamingNoHostAtAllReachesTheOrigin() throws Exception {
        assertThat(client.request(request()).status().toString()).isEqualTo("200");

        assertThat(reached).hasValue(1);
    }

    private void assertMisdirected(Http2Headers request) throws Exception {
        assertThat(client.request(request).status().toString()).isEqualTo("421");

        assertThat(bridge.onlyObserver().awaitExchanges(1).get(0).error()).isEqualTo("misdirected_request");
        assertThat(reached).as("requests the origin got").hasValue(0);
    }

    private static Http2Headers request() {
        return new DefaultHttp2Headers().method("GET").scheme("https").path("/page");
    }
}
