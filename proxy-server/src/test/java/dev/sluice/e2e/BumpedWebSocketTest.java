package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.Test;

/** A WebSocket over wss:// through a bump: the upgrade is relayed as HTTP/1.1, then the frames as raw bytes. */
class BumpedWebSocketTest {
    @Test
    void aWebSocketEchoesThroughTheBumpAndItsUpgradeIsLogged() throws Exception {
        try (SluiceFixture sluice = SluiceFixture.builder().tls().yaml("default: bump").start();
             MockWebServer origin = TestOrigins.https(Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket webSocket, Response response) {
                    webSocket.send("welcome");
                }

                @Override
                public void onMessage(WebSocket webSocket, String text) {
                    webSocket.send("echo " + text);
                }

                @Override
                public void onClosing(WebSocket webSocket, int code, String reason) {
                    webSocket.close(code, reason);
                }
            }).build());
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            CountDownLatch closed = new CountDownLatch(1);
            String url = TestOrigins.url("https", origin, "/ws");

            WebSocket socket = sluice.okHttp().newWebSocket(new Request.Builder().url(url).build(),
                    new WebSocketListener() {
                        @Override
                        public void onMessage(WebSocket webSocket, String text) {
                            received.add(text);
                        }

                        @Override
                        public void onClosed(WebSocket webSocket, int code, String reason) {
                            closed.countDown();
                        }
                    });

            assertThat(received.poll(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("welcome");
            socket.send("through the bump");
            assertThat(received.poll(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo("echo through the bump");
            socket.close(1000, "done");
            assertThat(closed.await(SluiceFixture.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("closed").isTrue();

            AccessLogLine upgrade = sluice.awaitAccessLog(l -> url.equals(l.text("target")));
            assertThat(upgrade.number("status")).isEqualTo(101);
            assertThat(upgrade.text("protocol")).isEqualTo("http/1.1");
            assertThat(upgrade.text("action")).isEqualTo("bump");
        }
    }
}
