package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/** A client's WebSocket listener that keeps what arrives (a binary message as "bytes" and its size) for a test. */
public final class WebSocketInbox extends WebSocketListener {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        received.add(text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        received.add("bytes " + bytes.size());
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        closed.countDown();
    }

    /** The next message, waiting for it. */
    public String next() throws InterruptedException {
        String message = received.poll(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).as("a message within " + SluiceFixture.PATIENCE).isNotNull();
        return message;
    }

    /** Waits until the close handshake has finished. */
    public void awaitClosed() throws InterruptedException {
        assertThat(closed.await(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("closed").isTrue();
    }
}
