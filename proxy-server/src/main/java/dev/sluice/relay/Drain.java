package dev.sluice.relay;

/**
 * The user event {@code SluiceServer.close()} fires down every client connection's pipeline when the process is
 * stopping: a handler that can end its connection politely (HTTP/2: GOAWAY) does so; the others are left their
 * grace period.
 */
public enum Drain {
    EVENT
}
