package dev.sluice.front;

import dev.sluice.certs.LeafCertificate;
import dev.sluice.tls.ClientFacingTlsContexts;
import dev.sluice.tls.HandshakeWatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a client's TLS that a bump ({@link BumpTunnel}) and Sluice's answer to a bump failed upstream
 * ({@link UpstreamFailureAnswer}) share: a server handler for the leaf once it is had, the client's held ClientHello
 * replayed into it, and the bytes decrypted with the end of a handshake delivered to whatever takes over. All on the
 * channel's event loop.
 */
final class ClientTlsSteps {
    private static final Logger log = LoggerFactory.getLogger(ClientTlsSteps.class);

    private ClientTlsSteps() {
    }

    /**
     * The client's {@code SslHandler}, presenting {@code leaf} and offering exactly {@code alpn}, for a leaf future
     * that completed with {@code leaf} or {@code error}; null, with the reason logged, when there is none (the mint
     * failed, e.g. for an origin certificate past its date, or no context for {@code alpn} could be built).
     */
    static SslHandler handler(ClientFacingTlsContexts contexts, Channel client, String alpn, LeafCertificate leaf,
                              Throwable error, Authority target, String host) {
        Throwable cause = error instanceof CompletionException wrapped && wrapped.getCause() != null
                ? wrapped.getCause() : error;
        if (cause == null) {
            try {
                return contexts.newHandler(client.alloc(), alpn, leaf);
            } catch (IllegalStateException e) {
                cause = e;
            }
        }
        log.info("bump {} ({}): no leaf: {}", target, host, cause.getMessage());
        return null;
    }

    /** Puts {@code tls} and {@code watch} last in the client's pipeline and replays {@code flight} (now theirs). */
    static void replay(Channel client, SslHandler tls, HandshakeWatch watch, ByteBuf flight) {
        client.pipeline().addLast("tls", tls).addLast("bump", watch);
        client.pipeline().fireChannelRead(flight).fireChannelReadComplete();
    }

    /**
     * Hands decrypted bytes that arrived with the end of a handshake to the handler now behind the
     * {@code SslHandler}, as if it had just read them.
     */
    static void deliver(Channel channel, List<ByteBuf> held) {
        if (held.isEmpty()) {
            return;
        }
        ChannelHandlerContext tls = channel.pipeline().context("tls");
        if (tls == null || !channel.isActive()) {
            held.forEach(ReferenceCountUtil::release);
            return;
        }
        held.forEach(tls::fireChannelRead);
        tls.fireChannelReadComplete();
    }
}
