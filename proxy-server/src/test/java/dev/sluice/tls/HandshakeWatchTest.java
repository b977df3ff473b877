package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeWatchTest {
    private final List<Throwable> outcomes = new ArrayList<>();
    private int closes;
    private final HandshakeWatch watch = new HandshakeWatch(outcomes::add, () -> closes++);
    private final EmbeddedChannel channel = new EmbeddedChannel(watch);

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    @Test
    void reportsASuccessfulHandshakeAsNoFailure() {
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertThat(outcomes).containsExactly((Throwable) null);
    }

    @Test
    void reportsAFailedHandshakeWithItsCause() {
        SSLHandshakeException cause = new SSLHandshakeException("unknown_ca");

        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));

        assertThat(outcomes).containsExactly(cause);
    }

    @Test
    void holdsBytesDecryptedPastTheHandshakeForWhoeverTakesOver() {
        channel.writeInbound(Unpooled.copiedBuffer("PRI * HTTP/2.0", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII));

        List<ByteBuf> held = watch.takeHeld();

        assertThat(held).extracting(buf -> buf.toString(StandardCharsets.US_ASCII))
                .containsExactly("PRI * HTTP/2.0", "\r\n");
        assertThat(watch.takeHeld()).isEmpty();
        held.forEach(ByteBuf::release);
    }

    @Test
    void releasesWhatNobodyTookWhenRemoved() {
        ByteBuf early = Unpooled.copiedBuffer("early", StandardCharsets.US_ASCII);
        channel.writeInbound(early);

        channel.pipeline().remove(watch);

        assertThat(early.refCnt()).isZero();
    }

    @Test
    void aHalfCloseOrACloseMeansThePeerIsGone() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        channel.close();

        assertThat(closes).isEqualTo(2);
    }
}
