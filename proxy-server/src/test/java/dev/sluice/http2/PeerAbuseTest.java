package dev.sluice.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;

/** The reasons are the messages Netty 4.2, or Sluice, puts in the GOAWAY of each protection. */
class PeerAbuseTest {
    private static final long CALM = Http2Error.ENHANCE_YOUR_CALM.code();

    @Test
    void eachEnhanceYourCalmProtectionIsToldApartByItsReason() {
        assertThat(PeerAbuse.kind(CALM, "Maximum number of RST frames reached")).isEqualTo("rapid_reset");
        assertThat(PeerAbuse.kind(CALM, "Maximum number 200 of RST frames frames reached within 30 seconds"))
                .isEqualTo("provoked_resets");
        assertThat(PeerAbuse.kind(CALM, "Maximum number 2 of empty data frames without end_of_stream flag received"))
                .isEqualTo("empty_frames");
        assertThat(PeerAbuse.kind(CALM, "Maximum number 1000 of outstanding control frames reached"))
                .isEqualTo("control_frames");
        assertThat(PeerAbuse.kind(CALM, "Number of small consecutive continuations frames 16 exceeds maximum: 16"))
                .isEqualTo("continuation_flood");
        assertThat(PeerAbuse.kind(CALM, StreamRefusals.OVERSIZED_HEADER_LISTS)).isEqualTo("header_list_size");
        assertThat(PeerAbuse.kind(CALM, ControlFloods.PRIORITY_FLOOD)).isEqualTo("priority_flood");
        assertThat(PeerAbuse.kind(CALM, ControlFloods.WINDOW_UPDATE_FLOOD)).isEqualTo("window_update_flood");
        assertThat(PeerAbuse.kind(CALM, "something new")).isEqualTo("enhance_your_calm");
    }

    @Test
    void otherErrorsAreNamedAfterTheirCode() {
        assertThat(PeerAbuse.kind(Http2Error.PROTOCOL_ERROR.code(), "Header size exceeded max allowed size (20480)"))
                .isEqualTo("header_list_size");
        assertThat(PeerAbuse.kind(Http2Error.PROTOCOL_ERROR.code(), "bad frame")).isEqualTo("protocol_error");
        assertThat(PeerAbuse.kind(Http2Error.FLOW_CONTROL_ERROR.code(), "Window size overflow for stream: 0"))
                .isEqualTo("flow_control_error");
        assertThat(PeerAbuse.kind(0xbad, "")).isEqualTo("unknown_error");
    }
}
