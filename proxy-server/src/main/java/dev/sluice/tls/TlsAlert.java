package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A fatal TLS alert as a plaintext record (RFC 8446 §6), for a client Sluice refuses before any handshake of its
 * own has begun: the client then reports a TLS failure instead of a bare reset.
 */
public final class TlsAlert {
    public static final int HANDSHAKE_FAILURE = 40;
    public static final int BAD_CERTIFICATE = 42;
    public static final int UNKNOWN_CA = 48;
    public static final int ACCESS_DENIED = 49;
    public static final int INTERNAL_ERROR = 80;

    private static final int CONTENT_TYPE_ALERT = 21;
    /** TLS 1.2 on the record layer: what TLS 1.3 peers also write before a handshake settles the version. */
    private static final int RECORD_VERSION = 0x0303;
    private static final int LEVEL_FATAL = 2;

    private TlsAlert() {
    }

    /** A 7-byte record carrying one fatal alert with {@code description}. */
    public static ByteBuf fatal(ByteBufAllocator alloc, int description) {
        return alloc.buffer(7)
                .writeByte(CONTENT_TYPE_ALERT)
                .writeShort(RECORD_VERSION)
                .writeShort(2)
                .writeByte(LEVEL_FATAL)
                .writeByte(description);
    }
}
