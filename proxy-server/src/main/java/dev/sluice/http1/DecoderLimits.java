package dev.sluice.http1;

import dev.sluice.config.LimitsConfig;
import io.netty.handler.codec.http.HttpDecoderConfig;

/** How Sluice's HTTP/1.1 decoders are bounded: the front door and a bumped connection read clients alike. */
public final class DecoderLimits {
    /** Largest body piece a decoder hands on at once; bounds what one read turns into. */
    private static final int MAX_CHUNK = 16 * 1024;

    private DecoderLimits() {
    }

    /** A request decoder's limits from {@code limits:}; the config is copied out, so one serves every channel. */
    public static HttpDecoderConfig requests(LimitsConfig limits) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)
                // Stated, not left to the default: a request with both Content-Length and Transfer-Encoding is
                // refused (400), never forwarded with one of them dropped (RFC 9112 §6.1).
                .setUseRfc9112TransferEncoding(true)
                // A bare LF is refused (400) rather than read as a line end an origin might not agree with.
                .setStrictLineParsing(true);
    }
}
