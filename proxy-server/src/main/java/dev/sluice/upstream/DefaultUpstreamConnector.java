package dev.sluice.upstream;

import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.DestinationGuard;
import dev.sluice.relay.TcpRelay;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Resolves with Netty's async DNS resolver ({@code hosts:} overrides, then the system hosts file, then the system's
 * name servers), checks the destination guard on the resolved address and connects to exactly that address, so
 * a name that re-resolves elsewhere (DNS rebinding) cannot slip past the guard. One resolver (and its cache) per
 * event loop, so a lookup never leaves the loop that asked for it.
 */
public final class DefaultUpstreamConnector implements UpstreamConnector, AutoCloseable {
    /** Per DNS query; a whole lookup (search domains, retries) is cut off at twice this. */
    static final Duration DNS_QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final HostOverrides hosts;
    private final Duration connectTimeout;
    private final DestinationGuard guard;
    private final Metrics metrics;
    private final DnsServerAddressStreamProvider nameServers;
    private final Duration dnsQueryTimeout;
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();

    public DefaultUpstreamConnector(Map<String, InetAddress> hosts, Duration connectTimeout, DestinationGuard guard,
                                    Metrics metrics) {
        this(hosts, connectTimeout, guard, metrics, DnsServerAddressStreamProviders.platformDefault(),
                DNS_QUERY_TIMEOUT);
    }

    /** With explicit name servers and query timeout: tests point this at a resolver on loopback. */
    DefaultUpstreamConnector(Map<String, InetAddress> hosts, Duration connectTimeout, DestinationGuard guard,
                             Metrics metrics, DnsServerAddressStreamProvider nameServers, Duration dnsQueryTimeout) {
        this.hosts = new HostOverrides(hosts, HostsFileEntriesResolver.DEFAULT);
        this.connectTimeout = connectTimeout;
        this.guard = guard;
        this.metrics = metrics;
        this.nameServers = nameServers;
        this.dnsQueryTimeout = dnsQueryTimeout;
    }

    @Override
    public Future<Channel> connect(EventLoop loop, String host, int port, Decision decision,
                                   ChannelInitializer<Channel> initializer) {
        Promise<Channel> result = loop.newPromise();
        resolve(loop, host).addListener((Future<InetAddress> resolved) -> {
            if (!resolved.isSuccess()) {
                result.tryFailure(new UpstreamException(UpstreamFailure.DNS_FAILURE,
                        "cannot resolve " + host + ": " + resolved.cause().getMessage(), resolved.cause()));
                return;
            }
            InetAddress address = resolved.getNow();
            String refusal = guard.refusal(address, decision);
            if (refusal != null) {
                result.tryFailure(new UpstreamException(UpstreamFailure.DESTINATION_DENIED,
                        refusal + " (" + host + " is " + address.getHostAddress() + ")", null));
                return;
            }
            connect(loop, new InetSocketAddress(address, port), initializer, result);
        });
        return result;
    }

    private Future<InetAddress> resolve(EventLoop loop, String host) {
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
        if (literal != null) {
            return loop.newSucceededFuture(literal);
        }
        DnsNameResolver resolver = resolvers.computeIfAbsent(loop, this::newResolver);
        Promise<InetAddress> result = loop.newPromise();
        long deadline = dnsQueryTimeout.toMillis() * 2;
        ScheduledFuture<?> timer = loop.schedule(() -> result.tryFailure(
                new UnknownHostException("DNS lookup took longer than " + deadline + " ms")), deadline,
                TimeUnit.MILLISECONDS);
        resolver.resolve(host).addListener((Future<InetAddress> done) -> {
            timer.cancel(false);
            if (done.isSuccess()) {
                result.trySuccess(done.getNow());
            } else {
                result.tryFailure(done.cause());
            }
        });
        return result;
    }

    private DnsNameResolver newResolver(EventLoop loop) {
        return new DnsNameResolverBuilder(loop)
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class)
                .hostsFileEntriesResolver(hosts)
                .nameServerProvider(nameServers)
                .queryTimeoutMillis(dnsQueryTimeout.toMillis())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .build();
    }

    private void connect(EventLoop loop, InetSocketAddress target, ChannelInitializer<Channel> initializer,
                         Promise<Channel> result) {
        long started = System.nanoTime();
        ChannelFuture connected = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpRelay.WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(initializer)
                .connect(target);
        connected.addListener(done -> {
            if (done.isSuccess()) {
                metrics.upstreamConnectNanos(System.nanoTime() - started);
                if (!result.trySuccess(connected.channel())) {
                    connected.channel().close(); // the caller gave up (cancelled) meanwhile
                }
            } else {
                result.tryFailure(classify(target, done.cause()));
            }
        });
    }

    static UpstreamException classify(InetSocketAddress target, Throwable cause) {
        String where = NetUtil.toSocketAddressString(target);
        if (cause instanceof ConnectTimeoutException) {
            return new UpstreamException(UpstreamFailure.CONNECT_TIMEOUT, "connect to " + where + " timed out", cause);
        }
        if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).contains("refused")) {
            return new UpstreamException(UpstreamFailure.CONNECT_REFUSED, where + " refused the connection", cause);
        }
        return new UpstreamException(UpstreamFailure.CONNECT_ERROR,
                "connect to " + where + " failed: " + cause.getMessage(), cause);
    }

    /** Closes the resolvers; connections made stay open. */
    @Override
    public void close() {
        resolvers.values().forEach(DnsNameResolver::close);
        resolvers.clear();
    }
}
