package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.junit.jupiter.api.Test;

class H2CodecsTest {
    @Test
    void theClientIsOfferedTheUpstreamsStreamLimitUpToSluicesOwn() {
        assertThat(H2Codecs.clientMaxStreams(7L)).isEqualTo(7);
        assertThat(H2Codecs.clientMaxStreams(1L << 31)).isEqualTo(H2Codecs.MAX_STREAMS);
        assertThat(H2Codecs.clientMaxStreams(null)).isEqualTo(H2Codecs.MAX_STREAMS);
    }

    @Test
    void bothLegsReceiveWithTheWiderConnectionWindow() {
        for (Http2FrameCodec codec : new Http2FrameCodec[] {H2Codecs.client(100L), H2Codecs.upstream()}) {
            EmbeddedChannel channel = new EmbeddedChannel(codec);
            try {
                H2Codecs.widenConnectionWindow(channel, codec);

                Http2Connection connection = codec.connection();
                assertThat(connection.local().flowController().windowSize(connection.connectionStream()))
                        .isEqualTo(H2Codecs.CONNECTION_WINDOW);
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }
}
