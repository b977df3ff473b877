package dev.sluice.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Reads the first TLS flight a client sends after CONNECT and reports its ClientHello, without consuming
 * anything: the reader index is untouched, so the caller can keep accumulating bytes, call again, and later
 * replay the same bytes to a spliced upstream or hand them to an {@code SslHandler}.
 *
 * <p>The ClientHello may be split across TCP reads and across several TLS records (RFC 8446 §5.1 allows a
 * handshake message to span records); this class reassembles the record layer and leaves the message body to
 * {@link ClientHelloBodyParser}. It never throws on input: every length is checked against what is present.
 * Thread-safe and stateless apart from its bound.
 */
public final class ClientHelloParser {
    /** Handshake bytes accepted by default; real ClientHellos, even with post-quantum key shares, are ~2 KiB. */
    public static final int DEFAULT_MAX_HANDSHAKE_BYTES = 16 * 1024;

    private static final int RECORD_HEADER_LENGTH = 5;
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int HANDSHAKE_TYPE_CLIENT_HELLO = 1;
    /** RFC 8446 §5.1: a plaintext fragment is at most 2^14 bytes. */
    private static final int MAX_RECORD_PAYLOAD = 1 << 14;
    /** The handshake length field is 24 bits wide. */
    private static final int MAX_HANDSHAKE_LENGTH = 0xFFFFFF;

    private final int maxHandshakeBytes;

    public ClientHelloParser() {
        this(DEFAULT_MAX_HANDSHAKE_BYTES);
    }

    /** @param maxHandshakeBytes the largest ClientHello accepted, handshake header included */
    public ClientHelloParser(int maxHandshakeBytes) {
        if (maxHandshakeBytes < HANDSHAKE_HEADER_LENGTH || maxHandshakeBytes > MAX_HANDSHAKE_LENGTH) {
            throw new IllegalArgumentException("maxHandshakeBytes must be between " + HANDSHAKE_HEADER_LENGTH
                    + " and " + MAX_HANDSHAKE_LENGTH + ": " + maxHandshakeBytes);
        }
        this.maxHandshakeBytes = maxHandshakeBytes;
    }

    /** Inspects the readable bytes of {@code in}; never modifies its indexes or content. */
    public ClientHelloResult parse(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        // Headers of many tiny records could otherwise make the caller hold far more than the bound.
        long maxWireBytes = 2L * maxHandshakeBytes;
        int pos = start;
        int records = 0;
        int handshakeBytes = 0;       // bytes of the handshake message present so far, across records
        int handshakeLength = 0;      // the 24-bit length, accumulated as its bytes arrive
        int messageLength = -1;       // header + body, once the header is complete
        while (true) {
            if (pos >= end) {
                return ClientHelloResult.NEED_MORE;
            }
            if (in.getUnsignedByte(pos) != CONTENT_TYPE_HANDSHAKE) {
                return records == 0 ? ClientHelloResult.NOT_TLS
                        : ClientHelloResult.malformed("non-handshake record inside ClientHello");
            }
            // Check the version bytes as soon as they arrive, so garbage is refused without waiting for more.
            if (end - pos > 1 && in.getUnsignedByte(pos + 1) != 3
                    || end - pos > 2 && in.getUnsignedByte(pos + 2) > 4) {
                return ClientHelloResult.malformed("bad record version");
            }
            if (end - pos < RECORD_HEADER_LENGTH) {
                return ClientHelloResult.NEED_MORE;
            }
            int recordLength = in.getUnsignedShort(pos + 3);
            if (recordLength == 0) {
                return ClientHelloResult.malformed("empty handshake record");
            }
            if (recordLength > maxHandshakeBytes) {
                return ClientHelloResult.tooLarge("record longer than the bound");
            }
            if (recordLength > MAX_RECORD_PAYLOAD) {
                return ClientHelloResult.malformed("record length overflow");
            }
            int fragment = pos + RECORD_HEADER_LENGTH;
            int present = Math.min(recordLength, end - fragment);
            for (int i = 0; i < present && handshakeBytes + i < HANDSHAKE_HEADER_LENGTH; i++) {
                int b = in.getUnsignedByte(fragment + i);
                if (handshakeBytes + i == 0) {
                    if (b != HANDSHAKE_TYPE_CLIENT_HELLO) {
                        return ClientHelloResult.malformed("not a ClientHello");
                    }
                } else {
                    handshakeLength = handshakeLength << 8 | b;
                }
            }
            handshakeBytes += present;
            if (messageLength < 0 && handshakeBytes >= HANDSHAKE_HEADER_LENGTH) {
                messageLength = HANDSHAKE_HEADER_LENGTH + handshakeLength;
                if (messageLength > maxHandshakeBytes) {
                    return ClientHelloResult.tooLarge("ClientHello longer than the bound");
                }
            }
            if (messageLength >= 0 && handshakeBytes >= messageLength) {
                return records == 0
                        ? ClientHelloBodyParser.parse(in, fragment + HANDSHAKE_HEADER_LENGTH, fragment + messageLength)
                        : parseReassembled(in, start, messageLength);
            }
            if (present < recordLength) {
                return ClientHelloResult.NEED_MORE;
            }
            pos = fragment + recordLength;
            records++;
            if (pos - start > maxWireBytes) {
                return ClientHelloResult.tooLarge("too many records for the bound");
            }
        }
    }

    /**
     * Copies the handshake message out of the records that hold it. Only a ClientHello spanning records pays
     * for this copy, bounded by {@code maxHandshakeBytes}; {@link #parse} has already validated every header.
     */
    private static ClientHelloResult parseReassembled(ByteBuf in, int start, int messageLength) {
        byte[] message = new byte[messageLength];
        int copied = 0;
        int pos = start;
        while (copied < messageLength) {
            int n = Math.min(in.getUnsignedShort(pos + 3), messageLength - copied);
            in.getBytes(pos + RECORD_HEADER_LENGTH, message, copied, n);
            copied += n;
            pos += RECORD_HEADER_LENGTH + n;
        }
        ByteBuf wrapped = Unpooled.wrappedBuffer(message);
        try {
            return ClientHelloBodyParser.parse(wrapped, HANDSHAKE_HEADER_LENGTH, messageLength);
        } finally {
            wrapped.release();
        }
    }
}
