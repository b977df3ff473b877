package dev.sluice.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/** Ends a connection as Netty's own protections do: GOAWAY ENHANCE_YOUR_CALM with the reason, then close. */
final class PeerCalm {
    private PeerCalm() {
    }

    /**
     * @param codec  the context of the connection's codec, as a frame logger is given it
     * @param reason the GOAWAY's debug data, which {@link PeerAbuse#kind} reads the abuse from
     */
    static void endConnection(ChannelHandlerContext codec, String reason) {
        Http2ConnectionHandler handler = (Http2ConnectionHandler) codec.handler();
        // Once the frame at hand is handled: a frame logger is called before its frame is written or read on.
        codec.executor().execute(() -> {
            if (codec.channel().isActive()) {
                handler.onError(codec, false, Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, reason));
            }
        });
    }
}
