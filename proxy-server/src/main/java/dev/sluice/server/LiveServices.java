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
     * @param generation the decision generation: moves on with every swap that changes what decides, so that the
     *                   connections accepted before it can be retired ({@link DecisionGenerations})
     */
    record Current(FrontServices services, HttpDecoderConfig decoder, long generation) {
    }

    private volatile Current current;

    LiveServices(FrontServices initial) {
        current = new Current(initial, DecoderLimits.requests(initial.limits()), 0);
    }

    Current current() {
        return current;
    }

    /**
     * Makes {@code next} what connections accepted from now on get.
     *
     * @param decidesAnew whether {@code next} decides differently, so the connections open now are to be retired
     * @return the generation in force from now on
     */
    long swap(FrontServices next, boolean decidesAnew) {
        long generation = current.generation() + (decidesAnew ? 1 : 0);
        current = new Current(next, DecoderLimits.requests(next.limits()), generation);
        return generation;
    }
}
