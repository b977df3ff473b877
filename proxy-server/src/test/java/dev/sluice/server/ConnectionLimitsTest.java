package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import dev.sluice.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code limits.maxClientConnections} and {@code limits.maxConnectionsPerClient} over real sockets: a connection
 * over a limit is answered 503 with {@code Proxy-Status: sluice; error=connection_limit_reached}, counted and logged,
 * and the admitted ones keep working. Each admitted connection finishes a tunnel round trip before the next one
 * opens, so Sluice has counted it: accepts are counted on several event loops, in no promised order.
 */
@Timeout(60)
class ConnectionLimitsTest {
    private static final InetAddress FIRST = loopback("127.0.0.1");
    private static final InetAddress SECOND = loopback("127.0.0.2");

    private final List<AutoCloseable> closing = new ArrayList<>();
    private SluiceFixture sluice;
    private SocketOrigin origin;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (origin != null) origin.close();
        if (sluice != null) sluice.close();
    }

    @Test
    void theConnectionOverTheTotalLimitIsAnswered503AndTheOthersKeepWorking() throws Exception {
        start("limits: {maxClientConnections: 3}");
        List<RawProxyConnection> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            admitted.add(tunnel(FIRST));
        }

        RawProxyConnection fourth = open(FIRST);
        fourth.send("CONNECT " + target() + " HTTP/1.1\r\nHost: " + target() + "\r\n\r\n");
        assertRefused(fourth.readResponse(), "limits.maxClientConnections");
        assertThat(fourth.awaitClosedByPeer()).isTrue();
        assertThat(sluice.awaitMetric(1, "sluice_connections_refused_total", "limit", "total")).isEqualTo(1);
        AccessLogLine line = sluice.awaitAccessLog(l -> "connection_limit_reached".equals(l.text("error")));
        assertThat(line.number("status")).isEqualTo(503);
        assertThat(line.text("rule")).isEqualTo("limits.maxClientConnections");

        for (RawProxyConnection connection : admitted) {
            assertEchoes(connection, "still here");
        }
        admitted.get(0).close();
        sluice.awaitMetricAtMost(2, "sluice_connections_active", "kind", "client");
        assertEchoes(tunnel(FIRST), "admitted again");
    }

    @Test
    void anAddressOverItsLimitIsRefusedWhileAnotherAddressIsServed() throws Exception {
        assumeTrue(canBind(SECOND), "127.0.0.2 is not a local address here (only Linux routes all of 127/8)");
        start("limits: {maxConnectionsPerClient: 2}");
        RawProxyConnection a1 = tunnel(FIRST);
        RawProxyConnection a2 = tunnel(FIRST);

        // Refused on accept: the answer comes without the client sending a byte.
        RawProxyConnection a3 = open(FIRST);
        assertRefused(a3.readResponse(), "limits.maxConnectionsPerClient");
        assertThat(sluice.awaitMetric(1, "sluice_connections_refused_total", "limit", "per_client")).isEqualTo(1);

        assertEchoes(tunnel(SECOND), "second address");
        assertEchoes(tunnel(SECOND), "second address again");
        assertEchoes(a1, "first still served");
        assertEchoes(a2, "first still served");
        assertThat(sluice.metrics().value("sluice_connections_refused_total", "limit", "total")).isZero();
    }

    private void start(String limits) throws IOException {
        origin = new SocketOrigin(SocketOrigin::echo);
        sluice = SluiceFixture.builder().yaml(limits).start();
    }

    private String target() {
        return TestPki.ORIGIN_HOST + ":" + origin.port();
    }

    private RawProxyConnection open(InetAddress from) throws IOException {
        RawProxyConnection connection = RawProxyConnection.open(sluice.proxyAddress(), from);
        closing.add(connection);
        return connection;
    }

    /** A spliced tunnel to the echo origin, proven by one round trip. */
    private RawProxyConnection tunnel(InetAddress from) throws IOException {
        RawProxyConnection connection = open(from);
        connection.send("CONNECT " + target() + " HTTP/1.1\r\nHost: " + target() + "\r\n\r\n");
        assertThat(connection.readResponse().status()).isEqualTo(200);
        assertEchoes(connection, "hello");
        return connection;
    }

    private static void assertEchoes(RawProxyConnection connection, String text) throws IOException {
        connection.send(text);
        byte[] echoed = connection.in().readNBytes(text.length());
        assertThat(new String(echoed, StandardCharsets.ISO_8859_1)).isEqualTo(text);
    }

    private static void assertRefused(RawResponse response, String limitKey) {
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("proxy-status")).startsWith("sluice; error=connection_limit_reached; details=")
                .contains(limitKey);
        assertThat(response.header("connection")).isEqualToIgnoringCase("close");
    }

    private static boolean canBind(InetAddress address) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress loopback(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
