package dev.sluice.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageFrameCounterTest {
    private final MessageFrameCounter counter = new MessageFrameCounter();

    /** gRPC's framing: a compressed flag, a 4-byte big-endian length, the payload. */
    private static byte[] message(int length, boolean compressed) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 0x5a);
        return ByteBuffer.allocate(5 + length).put((byte) (compressed ? 1 : 0)).putInt(length).put(payload).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }

    /** Feeds {@code stream} in frames of {@code frameBytes}, each a buffer read at an offset, released after. */
    private void feed(byte[] stream, int frameBytes) {
        for (int from = 0; from < stream.length; from += frameBytes) {
            int to = Math.min(stream.length, from + frameBytes);
            ByteBuf frame = Unpooled.buffer(to - from + 3);
            frame.writeBytes(new byte[] {9, 9, 9}).readerIndex(3);
            frame.writeBytes(stream, from, to - from);
            try {
                counter.count(frame);
                assertThat(frame.readerIndex()).as("reader index untouched").isEqualTo(3);
                assertThat(frame.writerIndex()).as("writer index untouched").isEqualTo(to - from + 3);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void oneMessageInOneFrame() {
        feed(message(100, false), 1000);

        assertThat(counter.messages()).isEqualTo(1);
        assertThat(counter.bytes()).isEqualTo(100);
    }

    @Test
    void severalMessagesInOneFrame() {
        feed(concat(message(3, false), message(0, false), message(70, true), message(1, false)), 1000);

        assertThat(counter.messages()).isEqualTo(4);
        assertThat(counter.bytes()).isEqualTo(74);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 13})
    void aPrefixSplitAcrossFramesIsStillOnePrefix(int frameBytes) {
        feed(concat(message(10, false), message(0, false), message(300, false)), frameBytes);

        assertThat(counter.messages()).isEqualTo(3);
        assertThat(counter.bytes()).isEqualTo(310);
    }

    @Test
    void aMessageSpanningManyFramesCountsOnce() {
        feed(concat(message(1 << 20, false), message(16, false)), 16_384);

        assertThat(counter.messages()).isEqualTo(2);
        assertThat(counter.bytes()).isEqualTo((1 << 20) + 16);
    }

    @Test
    void aMessageCutShortCountsTheBytesThatCame() {
        feed(Arrays.copyOf(message(1000, false), 5 + 400), 100);

        assertThat(counter.messages()).isEqualTo(1);
        assertThat(counter.bytes()).isEqualTo(400);
    }

    @Test
    void lengthsAreUnsigned() {
        // 0xffffffff bytes announced: a 4 GiB message is never relayed here, but its prefix must not read as -1
        ByteBuf prefix = Unpooled.wrappedBuffer(
                new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});
        try {
            counter.count(prefix);
        } finally {
            prefix.release();
        }

        assertThat(counter.messages()).isEqualTo(1);
        assertThat(counter.bytes()).isEqualTo(2);
    }

    @Test
    void anEmptyFrameChangesNothing() {
        feed(message(4, false), 1000);
        ByteBuf empty = Unpooled.EMPTY_BUFFER;

        counter.count(empty);

        assertThat(counter.messages()).isEqualTo(1);
        assertThat(counter.bytes()).isEqualTo(4);
    }
}
