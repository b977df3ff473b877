package dev.sluice.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names the abuse behind each GOAWAY error the client's codec sends. Netty's protections (see {@link H2Codecs#client})
 * end an offending connection with a GOAWAY whose debug data is the reason; this hears every GOAWAY Sluice sends the
 * client, including those for frames the client never read (a control-frame flood), which reach no handler.
 */
final class ClientAbuse extends Http2ConnectionAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientAbuse.class);

    private final Channel client;
    private final Consumer<String> report;

    /** @param report given the kind of each abuse, once logged */
    ClientAbuse(Channel client, Consumer<String> report) {
        this.client = client;
        this.report = report;
    }

    @Override
    public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
        if (errorCode != Http2Error.NO_ERROR.code()) {
            String reason = debugData.toString(StandardCharsets.UTF_8);
            String kind = kind(errorCode, reason);
            log.info("h2 client {} told GOAWAY with error {} ({}): {}", client.remoteAddress(), errorCode, kind, reason);
            report.accept(kind);
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
            }
        } else if (error == Http2Error.PROTOCOL_ERROR && reason.startsWith("Header size exceeded")) {
            return "header_list_size";
        }
        return error == null ? "unknown_error" : error.name().toLowerCase(Locale.ROOT);
    }
}
