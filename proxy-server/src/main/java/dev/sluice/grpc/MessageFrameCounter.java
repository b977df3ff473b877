package dev.sluice.grpc;

import io.netty.buffer.ByteBuf;

/**
 * Counts the length-prefixed messages of one direction of a gRPC call as its DATA frames pass. Each message is a
 * 1-byte compressed flag and a 4-byte big-endian length, then that many bytes; a prefix may be split across frames,
 * a message may span many frames, and a frame may carry several messages. Only prefix bytes are read, by absolute
 * index (the frame's reader index is left alone, it is relayed next); payloads are skipped, never copied or decoded.
 * Not thread-safe: one stream's frames arrive on one event loop.
 */
public final class MessageFrameCounter {
    private static final int PREFIX_BYTES = 5;

    /** Bytes of the current prefix read so far; 0 between a payload and the next prefix. */
    private int prefixRead;
    /** The length being assembled from the current prefix. */
    private long length;
    /** Payload bytes of the current message not yet seen. */
    private long remaining;
    private long messages;
    private long bytes;

    /** Counts what {@code data}'s readable bytes carry; its indexes are unchanged. */
    public void count(ByteBuf data) {
        int index = data.readerIndex();
        int end = data.writerIndex();
        while (index < end) {
            if (remaining > 0) {
                int skipped = (int) Math.min(remaining, end - index);
                remaining -= skipped;
                bytes += skipped;
                index += skipped;
                continue;
            }
            int b = data.getUnsignedByte(index++);
            if (prefixRead > 0) {
                // the first prefix byte is the compressed flag; the next four are the length
                length = length << 8 | b;
            }
            if (++prefixRead == PREFIX_BYTES) {
                messages++;
                remaining = length;
                length = 0;
                prefixRead = 0;
            }
        }
    }

    /** Messages whose prefix was complete, the last one perhaps still arriving. */
    public long messages() {
        return messages;
    }

    /** Payload bytes seen, without the prefixes. */
    public long bytes() {
        return bytes;
    }
}
