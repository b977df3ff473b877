package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What the fault tests share: short timeouts, so a stalled peer is given up on within a second or two. */
final class Faults {
    /** Timeouts short enough for a test to watch them fire, long enough for a slow machine's healthy exchange. */
    static final String SHORT_TIMEOUTS = """
            timeouts: {connect: 3s, idleTunnel: 1s, idleUpstream: 1s, tlsHandshake: 3s, drain: 1s}
            """;

    private Faults() {
    }

    static double errors(SluiceFixture sluice, String reason) {
        return sluice.metrics().value("sluice_errors_total", "reason", reason);
    }

    /** Sends a CONNECT for {@code target} and reads Sluice's answer. */
    static RawResponse connect(RawProxyConnection client, String target) throws IOException {
        return client.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").readResponse();
    }

    /** After a fault, a fresh tunnel still carries bytes both ways. */
    static void assertSplicesAFreshTunnel(SluiceFixture sluice) throws IOException {
        try (SocketOrigin echo = new SocketOrigin(SocketOrigin::echo); RawProxyConnection client = sluice.raw()) {
            assertThat(connect(client, TestOrigins.authority(echo.port())).status()).isEqualTo(200);
            client.send("ping");
            assertThat(new String(client.in().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
    }

    /** After a fault, one quick forwarded request still gets its answer. */
    static void assertForwardsAFreshRequest(SluiceFixture sluice) throws IOException {
        try (SocketOrigin healthy = new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.respond("fine");
        }); RawProxyConnection client = sluice.raw()) {
            String target = healthy.url("/fresh");
            client.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(client.readResponse().body()).isEqualTo("fine");
        }
    }
}
