package dev.sluice.server;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.HostPort;
import dev.sluice.config.SluiceConfig;
import dev.sluice.front.FrontServices;
import dev.sluice.http1.OriginPools;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.DestinationGuard;
import dev.sluice.policy.Policy;
import dev.sluice.policy.ProxyAuthenticator;
import dev.sluice.relay.Drain;
import dev.sluice.relay.TcpRelay;
import dev.sluice.reload.ReloadOutcome;
import dev.sluice.tls.BumpContexts;
import dev.sluice.upstream.DefaultUpstreamConnector;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the proxy and admin listeners on one NIO event loop group; {@link #apply} swaps in a reloaded configuration
 * for new connections; {@link #close()} drains and stops.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    private final EventLoopGroup group;
    private final Metrics metrics;
    private final DefaultUpstreamConnector connector;
    private final Duration drain;
    private final AccessLog accessLog;
    /** What the proxy listener is bound with and new connections get; {@link #apply} swaps it. */
    private final LiveServices live;
    /** The configuration the listeners were started with: {@link #apply} keeps what it cannot change. */
    private final SluiceConfig started;
    /** The configuration in force: {@link #apply} compares the next one with it. */
    private SluiceConfig inForce;
    private volatile BumpContexts bump;
    private volatile String caCertificatePem;
    /** What {@code POST /reload} runs, once set up ({@link #reloadBy}). */
    private volatile Function<String, CompletableFuture<ReloadOutcome>> reloads = trigger -> null;
    private final ChannelGroup clients = new DefaultChannelGroup("sluice-clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean ready;
    private volatile boolean closed;
    private Channel proxyChannel;
    private Channel adminChannel;

    private SluiceServer(EventLoopGroup group, Metrics metrics, DefaultUpstreamConnector connector,
                         SluiceConfig started, AccessLog accessLog, CertificateAuthority ca) {
        this.group = group;
        this.metrics = metrics;
        this.connector = connector;
        this.drain = started.timeouts().drain();
        this.started = started;
        this.inForce = started;
        this.accessLog = accessLog;
        if (ca != null) {
            bump = BumpContexts.create(started.tls(), started.passthrough(), ca, metrics);
            caCertificatePem = ca.certificatePem();
        }
        this.live = new LiveServices(services(started, bump));
    }

    public static SluiceServer start(SluiceConfig config, Metrics metrics, AccessLog accessLog)
            throws InterruptedException {
        return start(config, metrics, accessLog, null);
    }

    /**
     * @param ca the CA whose certificate {@code /ca.crt} serves and bumps mint leaves from, or null when {@code tls:}
     *           is off
     * @throws IllegalStateException    when {@code tls.provider: openssl} is configured but BoringSSL is unusable
     * @throws IllegalArgumentException when a {@code tls.upstreamTrust} file cannot be read, or the config has a
     *                                  {@code tls:} block and {@code ca} is null
     */
    public static SluiceServer start(SluiceConfig config, Metrics metrics, AccessLog accessLog,
                                     CertificateAuthority ca) throws InterruptedException {
        if (config.tls().enabled() && ca == null) {
            // Bump rules would validate and then fail every connection.
            throw new IllegalArgumentException("the config has a tls: block but no CA was given to start with");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        DefaultUpstreamConnector connector = new DefaultUpstreamConnector(config.hosts(), config.timeouts().connect(),
                new DestinationGuard(ownAddresses(config)), metrics);
        SluiceServer server;
        try {
            server = new SluiceServer(group, metrics, connector, config, accessLog, ca);
        } catch (RuntimeException e) {
            connector.close();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            throw e;
        }
        try {
            server.proxyChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpRelay.WATER_MARK)
                    .childHandler(new ProxyChannelInitializer(server.live,
                            new OriginPools(connector, config.limits(), config.timeouts()), server.clients))
                    .bind(config.listen().toSocketAddress())
                    .sync()
                    .channel();
            server.adminChannel = AdminServer.bind(group, config.admin(), metrics, () -> server.ready,
                    () -> server.caCertificatePem, server.bump == null ? null : server.bump.passthrough(),
                    trigger -> server.reloads.apply(trigger));
            server.ready = true;
            return server;
        } catch (Throwable e) {
            // Netty rethrows a failed bind (BindException) unchecked through sync(): stop the loops either way.
            server.close();
            throw e;
        }
    }

    /** The front services of one configuration, with what a reload keeps: connector, access log, gRPC view. */
    private FrontServices services(SluiceConfig config, BumpContexts bumps) {
        return new FrontServices(Policy.from(config), new ProxyAuthenticator(config.auth()), connector, metrics,
                accessLog, config.timeouts(), config.limits(), bumps, started.grpc());
    }

    /**
     * Makes {@code config} (with {@code ca}, its loaded CA) the configuration of every connection accepted from now
     * on. When it changes what decides ({@code access}, {@code auth}, {@code rules}, {@code default}), the
     * connections open now are asked to finish under the old one ({@link DecisionGenerations}), without a deadline;
     * otherwise they keep theirs. Everything that can fail is built before the swap, so a failure
     * leaves the configuration in force untouched. What only a restart changes (listeners, {@code hosts:},
     * {@code timeouts.connect}, ...; see {@code RestartOnlyChanges}) keeps its started value. A new CA (or new
     * {@code tls.leaf} settings) comes with a new, empty leaf cache, and the old one is dropped at once: a connection
     * opened before the swap that bumps only now fails its bump rather than be handed a leaf of the old CA. What
     * automatic passthrough learned is kept.
     *
     * @throws IllegalStateException    when {@code tls.provider: openssl} cannot be honoured, adding or removing
     *                                  the {@code tls:} block was asked for (that needs a restart), or the server
     *                                  is stopping
     * @throws IllegalArgumentException when a {@code tls.upstreamTrust} file cannot be read
     */
    public synchronized void apply(SluiceConfig config, CertificateAuthority ca) {
        if (closed) {
            throw new IllegalStateException("server is stopping");
        }
        if ((ca != null) != (bump != null)) {
            throw new IllegalStateException("tls: adding or removing the tls: block needs a restart");
        }
        BumpContexts previousBump = bump;
        BumpContexts nextBump = ca == null ? null : BumpContexts.reloaded(config.tls(), ca, metrics, previousBump);
        FrontServices next = services(config, nextBump);
        bump = nextBump;
        // Before the swap: /ca.crt serves the new CA no later than the first bump with it.
        caCertificatePem = ca == null ? null : ca.certificatePem();
        long generation = live.swap(next, decidesAnew(inForce, config));
        inForce = config;
        metrics.configRules(config.rules().size());
        if (previousBump != null) {
            previousBump.retireFor(nextBump);
        }
        int retired = DecisionGenerations.retireOlder(clients, generation);
        if (retired > 0) {
            metrics.reloadRetired(retired);
            log.info("reload: {} open connections asked to finish under the old configuration", retired);
        }
    }

    /** Whether a connection accepted under {@code was} would decide a new request differently under {@code next}. */
    private static boolean decidesAnew(SluiceConfig was, SluiceConfig next) {
        return !Objects.equals(was.access(), next.access()) || !Objects.equals(was.auth(), next.auth())
                || !Objects.equals(was.rules(), next.rules()) || was.defaultAction() != next.defaultAction();
    }

    /** Lets the admin listener's {@code POST /reload} run {@code reloads} (the reload triggers, set up after start). */
    public void reloadBy(Function<String, CompletableFuture<ReloadOutcome>> reloads) {
        this.reloads = reloads;
    }

    /**
     * The addresses the destination guard keeps Sluice from connecting to itself through; the guard itself
     * expands a wildcard listener to every local interface address.
     */
    static Set<InetAddress> ownAddresses(SluiceConfig config) {
        Set<InetAddress> own = new LinkedHashSet<>();
        for (HostPort listener : new HostPort[] {config.listen(), config.admin()}) {
            InetAddress address = listener.toSocketAddress().getAddress();
            if (address != null) {
                own.add(address);
            }
        }
        return own;
    }

    public InetSocketAddress proxyAddress() {
        return (InetSocketAddress) proxyChannel.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return (InetSocketAddress) adminChannel.localAddress();
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Blocks until {@link #close()} has completed. */
    public void awaitTermination() throws InterruptedException {
        group.terminationFuture().await();
    }

    /**
     * Drains and stops: reports not-ready and stops accepting at once, asks every client connection to end (HTTP/2
     * connections hear GOAWAY), gives them {@code timeouts.drain} to finish, closes what is still open, then stops
     * the admin listener and the event loops.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        if (proxyChannel != null) {
            proxyChannel.close().awaitUninterruptibly();
        }
        drainClients();
        if (adminChannel != null) {
            adminChannel.close().awaitUninterruptibly();
        }
        connector.close();
        if (bump != null) {
            bump.close();
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
        log.info("stopped");
    }

    private void drainClients() {
        if (clients.isEmpty()) {
            return;
        }
        int open = clients.size();
        log.info("draining {} open connections for up to {}", open, drain);
        // Waits for the connections open now: none can join, the listener is closed.
        var allClosed = clients.newCloseFuture();
        clients.forEach(client -> client.pipeline().fireUserEventTriggered(Drain.EVENT));
        allClosed.awaitUninterruptibly(drain.toMillis());
        int left = clients.size();
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        metrics.drainClosed("finished", Math.max(0, open - left));
        metrics.drainClosed("forced", left);
        log.info("drained: {} connections ended by themselves, {} closed at the deadline", Math.max(0, open - left),
                left);
    }
}
