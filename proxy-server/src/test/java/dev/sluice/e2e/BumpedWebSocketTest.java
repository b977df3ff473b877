package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.EchoingWebSocket;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import dev.sluice.testing.WebSocketInbox;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.WebSocket;
import org.junit.jupiter.api.Test;

/** A WebSocket over wss:// through a bump: the upgrade is relayed as HTTP/1.1, then the frames as raw bytes. */
class BumpedWebSocketTest {
    @Test
    void aWebSocketEchoesThroughTheBumpAndItsUpgradeIsLogged() throws Exception {
        try (SluiceFixture sluice = SluiceFixture.builder().tls().yaml("default: bump").start();
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(EchoingWebSocket.upgrade());
            WebSocketInbox inbox = new WebSocketInbox();
            String url = TestOrigins.url("https", origin, "/ws");

            WebSocket socket = sluice.okHttp().newWebSocket(new Request.Builder().url(url).build(), inbox);

            assertThat(inbox.next()).isEqualTo("welcome");
            socket.send("through the bump");
            assertThat(inbox.next()).isEqualTo("echo through the bump");
            socket.close(1000, "done");
            inbox.awaitClosed();

            AccessLogLine upgrade = sluice.awaitAccessLog(l -> url.equals(l.text("target")));
            assertThat(upgrade.number("status")).isEqualTo(101);
            assertThat(upgrade.text("protocol")).isEqualTo("http/1.1");
            assertThat(upgrade.text("action")).isEqualTo("bump");
        }
    }
}
