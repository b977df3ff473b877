package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EarlyBytesTest {
    @Test
    void holdsWhatArrivesAndPassesItOnInOrderWhenRemoved() {
        EmbeddedChannel channel = new EmbeddedChannel(new EarlyBytes());
        channel.writeInbound(text("PRI * "), text("HTTP/2.0"));
        assertThat((Object) channel.readInbound()).as("nothing passes while held").isNull();

        channel.pipeline().remove(EarlyBytes.class);

        assertThat(readText(channel)).isEqualTo("PRI * ");
        assertThat(readText(channel)).isEqualTo("HTTP/2.0");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whatIsStillHeldWhenTheChannelClosesIsReleased() {
        EmbeddedChannel channel = new EmbeddedChannel(new EarlyBytes());
        ByteBuf held = text("never used");
        channel.writeInbound(held);

        channel.close();
        channel.finishAndReleaseAll();

        assertThat(held.refCnt()).isZero();
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readText(EmbeddedChannel channel) {
        ByteBuf buf = channel.readInbound();
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }
}
