package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import java.io.IOException;

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
