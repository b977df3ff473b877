package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Faults on a spliced CONNECT tunnel ({@code relay.TcpRelay}): the client gets 502/504 while nothing is connected,
 * and afterwards the close (FIN or reset) of whichever side failed; the origin gets the client's. Every fault
 * leaves no descriptor or direct memory behind, is logged and counted, and Sluice goes on serving.
 */
class SpliceFaultsTest extends PlainFaultsContract {
    @Test
    void anOriginResettingMidStreamIsSeenByTheClientAsTheTunnelClosing() throws Exception {
        origin = FaultyOrigin.resetAfter("", 100_000);
        String target = TestOrigins.authority(origin.port());
        double before = Faults.errors(sluice, "upstream_reset");

        try (RawProxyConnection client = sluice.raw()) {
            assertThat(Faults.connect(client, target).status()).isEqualTo(200);
            client.send("first bytes");
            assertThat(client.readToEnd()).as("bytes before the close").isLessThanOrEqualTo(100_000);
        }
        assertLoggedAndCounted(target, "upstream_reset", before);
        assertRecovered();
    }

    @Test
    void anOriginStallingMidStreamIsClosedByTheTunnelIdleTimeout() throws Exception {
        origin = FaultyOrigin.stallAfter("", 50_000);
        String target = TestOrigins.authority(origin.port());
        double before = Faults.errors(sluice, "idle_timeout");

        try (RawProxyConnection client = sluice.raw()) {
            assertThat(Faults.connect(client, target).status()).isEqualTo(200);
            client.send("first bytes");
            assertThat(client.readToEnd()).isEqualTo(50_000);
        }
        assertThat(origin.awaitProxyHungUp()).as("the stalled origin connection is closed").isTrue();
        assertLoggedAndCounted(target, "idle_timeout", before);
        assertRecovered();
    }

    @Test
    void aClientVanishingMidTransferClosesTheOriginConnection() throws Exception {
        origin = FaultyOrigin.endless("");
        String target = TestOrigins.authority(origin.port());
        double before = Faults.errors(sluice, "client_reset");

        RawProxyConnection client = sluice.raw();
        assertThat(Faults.connect(client, target).status()).isEqualTo(200);
        client.send("first bytes");
        client.in().readNBytes(100_000);
        client.abort();

        assertThat(origin.awaitProxyHungUp()).as("the origin's connection is closed").isTrue();
        assertLoggedAndCounted(target, "client_reset", before);
        assertRecovered();
    }

    @Test
    void aClientHalfCloseReachesTheOriginAndItsLastWordsStillReachTheClient() throws Exception {
        CompletableFuture<String> originRead = new CompletableFuture<>();
        try (SocketOrigin answering = new SocketOrigin((index, connection) -> {
            String request = new String(connection.in().readAllBytes(), StandardCharsets.UTF_8);
            originRead.complete(request);
            connection.send("answer after your FIN");
            connection.socket().shutdownOutput();
        })) {
            String target = TestOrigins.authority(answering.port());
            try (RawProxyConnection client = sluice.raw()) {
                assertThat(Faults.connect(client, target).status()).isEqualTo(200);
                client.send("whole request");
                client.shutdownOutput();

                assertThat(originRead.get(20, TimeUnit.SECONDS)).as("the origin read up to the FIN")
                        .isEqualTo("whole request");
                assertThat(new String(client.in().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("answer after your FIN");
            }
            assertThat(sluice.awaitAccessLog(line -> target.equals(line.text("target"))).text("error")).isNull();
        }
        baseline.assertReturned();
    }

    @Override
    RawResponse request(String hostPort) throws IOException {
        try (RawProxyConnection client = sluice.raw()) {
            return Faults.connect(client, hostPort);
        }
    }

    @Override
    String logged(String hostPort) {
        return hostPort;
    }

    @Override
    void assertServesAFreshClient() throws IOException {
        Faults.assertSplicesAFreshTunnel(sluice);
    }
}
