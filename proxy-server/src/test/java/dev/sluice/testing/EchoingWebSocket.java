package dev.sluice.testing;

import mockwebserver3.MockResponse;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * A MockWebServer origin's side of a WebSocket: it says "welcome" when opened, answers a text message with
 * "echo " and the text, a binary one with the same bytes, and a close with a close.
 */
public final class EchoingWebSocket extends WebSocketListener {
    private EchoingWebSocket() {
    }

    /** The response that upgrades the request to this WebSocket; enqueue it on the origin. */
    public static MockResponse upgrade() {
        return new MockResponse.Builder().webSocketUpgrade(new EchoingWebSocket()).build();
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        webSocket.send("welcome");
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        webSocket.send("echo " + text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        webSocket.send(bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, reason);
    }
}
