package dev.sluice.server;

import dev.sluice.config.HostPort;
import dev.sluice.observe.Metrics;
import dev.sluice.passthrough.PassthroughRegistry;
import dev.sluice.reload.ReloadOutcome;
import dev.sluice.relay.ClientTimeouts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: {@code /metrics}, {@code /healthz}, {@code /readyz} and, when Sluice has a CA,
 * {@code /ca.crt} and {@code /passthrough} over plain HTTP/1.1. Everything answers {@code GET} only, but
 * {@code /passthrough} also {@code DELETE}: all entries, or with {@code ?host=NAME} those of that origin host or
 * server name ({@link PassthroughJson}), when the {@code Host} header names the listener by address or as
 * {@code localhost} ({@link RebindingGuard}). {@code POST /reload} reloads the configuration ({@link AdminReload})
 * under the same guard.
 */
public final class AdminServer {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    static final String PEM_CONTENT_TYPE = "application/x-pem-file";
    /** Admin requests have no body; anything bigger is not a scraper or a probe. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    static final String PASSTHROUGH = "/passthrough";
    /** Entries of each kind a {@code /passthrough} answer shows: what an operator reads, cheap for the event loop. */
    static final int PASSTHROUGH_LISTED_PER_KIND = 1_000;
    /** Scrapers keep connections between scrapes; one silent this long is dropped. */
    private static final Duration IDLE = Duration.ofSeconds(120);
    /** A request head (and its body) must be whole this long after its first byte: no slowloris holds a connection. */
    static final Duration REQUEST_HEADER = Duration.ofSeconds(10);
    /**
     * Admin connections open at once: scrapers and probes keep a handful. More are closed on accept and counted in
     * {@code sluice_connections_refused_total{limit="admin"}}, so the listener cannot be used to exhaust descriptors.
     */
    static final int MAX_CONNECTIONS = 64;

    private AdminServer() {
    }

    /** Binds without a CA: {@code /ca.crt} answers 404. */
    public static Channel bind(EventLoopGroup group, HostPort address, Metrics metrics, BooleanSupplier ready)
            throws InterruptedException {
        return bind(group, address, metrics, ready, null);
    }

    /**
     * Binds and returns the server channel (its localAddress gives the real port when port 0 was asked).
     *
     * @param caCertificatePem served at {@code /ca.crt} (the public CA certificate, never the key); null when
     *                         Sluice has no CA
     */
    public static Channel bind(EventLoopGroup group, HostPort address, Metrics metrics, BooleanSupplier ready,
                               String caCertificatePem) throws InterruptedException {
        return bind(group, address, metrics, ready, () -> caCertificatePem, null);
    }

    /**
     * @param caCertificatePem read per request (a reload may have changed the CA); null when Sluice has no CA
     * @param passthrough      what automatic passthrough learned, at {@code /passthrough}; null when nothing is
     *                         bumped
     */
    public static Channel bind(EventLoopGroup group, HostPort address, Metrics metrics, BooleanSupplier ready,
                               Supplier<String> caCertificatePem, PassthroughRegistry passthrough)
            throws InterruptedException {
        return bind(group, address, metrics, ready, caCertificatePem, passthrough, trigger -> null);
    }

    /** @param reloads runs {@code POST /reload}; answers null while reloading is not set up */
    public static Channel bind(EventLoopGroup group, HostPort address, Metrics metrics, BooleanSupplier ready,
                               Supplier<String> caCertificatePem, PassthroughRegistry passthrough,
                               Function<String, CompletableFuture<ReloadOutcome>> reloads)
            throws InterruptedException {
        AdminHandler handler = new AdminHandler(metrics, ready, caCertificatePem, passthrough,
                new AdminReload(reloads));
        AtomicInteger open = new AtomicInteger();
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // OneRequestAtATime reads
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > MAX_CONNECTIONS) {
                            open.decrementAndGet();
                            metrics.connectionRefused("admin");
                            log.debug("admin connection from {} refused: {} open", ch.remoteAddress(), MAX_CONNECTIONS);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(closed -> open.decrementAndGet());
                        ch.pipeline().addLast(
                                new ClientTimeouts(IDLE, REQUEST_HEADER),
                                new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_REQUEST_BYTES)
                                        .setMaxHeaderSize(MAX_REQUEST_BYTES)),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new OneRequestAtATime(),
                                handler);
                    }
                })
                .bind(address.toSocketAddress()).sync().channel();
    }

    /** Routes a request to its answer; stateless, so one instance serves every connection. */
    @ChannelHandler.Sharable
    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Metrics metrics;
        private final BooleanSupplier ready;
        private final Supplier<String> caCertificatePem;
        private final PassthroughRegistry passthrough;
        private final AdminReload reload;

        AdminHandler(Metrics metrics, BooleanSupplier ready, Supplier<String> caCertificatePem,
                     PassthroughRegistry passthrough, AdminReload reload) {
            this.reload = reload;
            this.metrics = metrics;
            this.ready = ready;
            this.caCertificatePem = caCertificatePem;
            this.passthrough = passthrough;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            // Answered at once: the clocks go on to the next request.
            ctx.pipeline().get(ClientTimeouts.class).awaitNextRequest();
            if (request.decoderResult().isFailure()) {
                respond(ctx, false, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request");
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            if (uri.path().equals(PASSTHROUGH)) {
                passthrough(ctx, keepAlive, request, uri);
                return;
            }
            if (uri.path().equals(AdminReload.PATH)) {
                reload.handle(request, (status, body) -> respond(ctx, keepAlive, status, TEXT, body));
                return;
            }
            if (!HttpMethod.GET.equals(request.method())) {
                methodNotAllowed(ctx, keepAlive, HttpMethod.GET.name());
                return;
            }
            switch (uri.path()) {
                // Scraping formats a few hundred lines: cheap enough to stay on the event loop.
                case "/metrics" -> respond(ctx, keepAlive, HttpResponseStatus.OK, METRICS_CONTENT_TYPE,
                        metrics.scrape());
                case "/healthz" -> respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, "ok");
                case "/readyz" -> {
                    if (ready.getAsBoolean()) {
                        respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, "ready");
                    } else {
                        respond(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "not ready");
                    }
                }
                case "/ca.crt" -> {
                    String pem = caCertificatePem.get();
                    if (pem != null) {
                        respond(ctx, keepAlive, HttpResponseStatus.OK, PEM_CONTENT_TYPE, pem);
                    } else {
                        respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT, "no CA configured (see tls: in the config)");
                    }
                }
                default -> respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT, "not found");
            }
        }

        /**
         * {@code passthrough.maxEntries} allows a million entries of each kind, too many to write out on an event loop
         * the proxy shares: an answer shows the {@link #PASSTHROUGH_LISTED_PER_KIND} most recently active of each kind
         * (a clear still forgets every match) and says how many there were.
         */
        private void passthrough(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest request,
                                 QueryStringDecoder uri) {
            HttpMethod method = request.method();
            if (!HttpMethod.GET.equals(method) && !HttpMethod.DELETE.equals(method)) {
                methodNotAllowed(ctx, keepAlive, "GET, DELETE");
            } else if (passthrough == null) {
                respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT, "nothing is bumped (see tls: in the config)");
            } else if (HttpMethod.GET.equals(method)) {
                respond(ctx, keepAlive, HttpResponseStatus.OK, PassthroughJson.CONTENT_TYPE,
                        PassthroughJson.of("entries", passthrough.entries(PASSTHROUGH_LISTED_PER_KIND)));
            } else if (!RebindingGuard.allows(request.headers().get(HttpHeaderNames.HOST))) {
                log.warn("admin: refused DELETE {} from {}: its Host header names neither an IP address nor localhost",
                        PASSTHROUGH, ctx.channel().remoteAddress());
                respond(ctx, keepAlive, HttpResponseStatus.FORBIDDEN, TEXT, RebindingGuard.REFUSAL);
            } else {
                List<String> hosts = uri.parameters().get("host");
                String host = hosts == null ? null : hosts.get(0);
                if (host != null && host.isBlank()) {
                    respond(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, TEXT, "host= names no host");
                    return;
                }
                respond(ctx, keepAlive, HttpResponseStatus.OK, PassthroughJson.CONTENT_TYPE,
                        PassthroughJson.of("removed", passthrough.clear(host, PASSTHROUGH_LISTED_PER_KIND)));
            }
        }

        private static void methodNotAllowed(ChannelHandlerContext ctx, boolean keepAlive, String allowed) {
            FullHttpResponse response = response(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                    "method not allowed");
            response.headers().set(HttpHeaderNames.ALLOW, allowed);
            send(ctx, keepAlive, response);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ClientTimeouts.REQUEST_HEADER_TIMEOUT) {
                respond(ctx, false, HttpResponseStatus.REQUEST_TIMEOUT, TEXT, "request not received within "
                        + REQUEST_HEADER.toSeconds() + " s");
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Peer resets are routine here; nothing to report beyond closing.
            ctx.close();
        }

        private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
                                    String contentType, String body) {
            send(ctx, keepAlive, response(ctx, status, contentType, body));
        }

        private static FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status,
                                                 String contentType, String body) {
            ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return response;
        }

        private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
