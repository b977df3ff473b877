package dev.sluice.server;

import dev.sluice.front.FrontServices;
import dev.sluice.http1.DecoderLimits;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The services new client connections get: one reference, swapped whole by a reload. A connection reads it once,
 * when accepted, and keeps what it read for its whole life, so its decisions are never made with half of one
 * configuration and half of another.
 */
final class LiveServices {
    /**
     * @param decoder request decoder limits built from {@code services.limits()}; the decoder copies the values out,
     *                so every connection can share it
     */
    record Current(FrontServices services, HttpDecoderConfig decoder) {
    }

    private volatile Current current;

    LiveServices(FrontServices initial) {
        swap(initial);
    }

    Current current() {
        return current;
    }

    /** Makes {@code next} what connections accepted from now on get. */
    void swap(FrontServices next) {
        current = new Current(next, DecoderLimits.requests(next.limits()));
    }
}
