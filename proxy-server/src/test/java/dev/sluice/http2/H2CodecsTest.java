package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.H2LimitsConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import org.junit.jupiter.api.Test;

class H2CodecsTest {
    @Test
    void theClientIsOfferedTheUpstreamsStreamLimitUpToSluicesOwn() {
        assertThat(H2Codecs.clientMaxStreams(H2LimitsConfig.DEFAULTS, 7L)).isEqualTo(7);
        assertThat(H2Codecs.clientMaxStreams(H2LimitsConfig.DEFAULTS, 1L << 31)).isEqualTo(100);
        assertThat(H2Codecs.clientMaxStreams(H2LimitsConfig.DEFAULTS, null)).isEqualTo(100);
    }

    @Test
    void bothLegsReceiveWithTheWiderConnectionWindow() {
        for (Http2FrameCodec codec : new Http2FrameCodec[] {H2Codecs.client(H2LimitsConfig.DEFAULTS, 100L,
                new StreamRefusals(H2LimitsConfig.DEFAULTS, reason -> { })),
                H2Codecs.upstream(H2LimitsConfig.DEFAULTS)}) {
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
