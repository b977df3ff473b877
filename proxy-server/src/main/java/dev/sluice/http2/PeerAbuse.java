package dev.sluice.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the abuse behind each GOAWAY error one leg's codec sends its peer. Netty's protections (see {@link H2Codecs})
 * end an offending connection with a GOAWAY whose debug data is the reason; this hears every GOAWAY Sluice sends
 * the peer, including those for frames the peer never read (a control-frame flood), which reach no handler.
 */
final class PeerAbuse extends Http2ConnectionAdapter {
    /** The {@code leg} of a client's abuse, as counted in {@code sluice_h2_abuse_total}. */
    static final String CLIENT = "client";
    /** The {@code leg} of an origin's abuse. */
    static final String UPSTREAM = "upstream";

    private static final Logger log = LoggerFactory.getLogger(PeerAbuse.class);

    private final Channel peer;
    private final String leg;
    private final BiConsumer<String, String> report;

    /**
     * @param leg    {@link #CLIENT} or {@link #UPSTREAM}
     * @param report given the leg and the kind of each abuse, once logged
     */
    PeerAbuse(Channel peer, String leg, BiConsumer<String, String> report) {
        this.peer = peer;
        this.leg = leg;
        this.report = report;
    }

    @Override
    public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
        if (errorCode != Http2Error.NO_ERROR.code()) {
            String reason = debugData.toString(StandardCharsets.UTF_8);
            String kind = kind(errorCode, reason);
            log.info("h2 {} {} told GOAWAY with error {} ({}): {}", leg, peer.remoteAddress(), errorCode, kind, reason);
            report.accept(leg, kind);
        }
    }

    /**
     * The abuse a GOAWAY error stands for. Netty gives its ENHANCE_YOUR_CALM protections one error code and tells them
     * apart only by their message, so these are read from it; any other error is named after its code.
     */
    static String kind(long errorCode, String reason) {
        Http2Error error = Http2Error.valueOf(errorCode);
        if (error == Http2Error.ENHANCE_YOUR_CALM) {
            if (reason.startsWith("Maximum number of RST frames")) {
                return "rapid_reset";
            } else if (reason.contains("RST frames")) {
                return "provoked_resets";
            } else if (reason.contains("empty data frames")) {
                return "empty_frames";
            } else if (reason.contains("control frames")) {
                return "control_frames";
            } else if (reason.contains("continuation")) {
                return "continuation_flood";
            } else if (reason.equals(StreamRefusals.OVERSIZED_HEADER_LISTS)) {
                return "header_list_size";
            } else if (reason.equals(ControlFloods.PRIORITY_FLOOD)) {
                return "priority_flood";
            } else if (reason.equals(ControlFloods.WINDOW_UPDATE_FLOOD)) {
                return "window_update_flood";
            }
        } else if (error == Http2Error.PROTOCOL_ERROR && reason.startsWith("Header size exceeded")) {
            return "header_list_size";
        }
        return error == null ? "unknown_error" : error.name().toLowerCase(Locale.ROOT);
    }
}
