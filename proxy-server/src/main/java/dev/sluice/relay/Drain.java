package dev.sluice.relay;

/**
 * The user event {@code SluiceServer.close()} fires down every client connection's pipeline when the process is
 * stopping: a handler that can end its connection politely does so (HTTP/1.1 front: at once when idle between
 * requests, else after the exchange under way; HTTP/2: GOAWAY); the others (tunnels) are left their grace period.
 */
public enum Drain {
    EVENT
}
