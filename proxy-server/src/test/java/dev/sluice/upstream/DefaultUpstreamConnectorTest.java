package dev.sluice.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.DestinationGuard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DefaultUpstreamConnectorTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Decision ALLOW_LOOPBACK =
            new Decision(Action.SPLICE, "default", "test", List.of(Cidr.parse("127.0.0.0/8")));
    private static final Decision GUARDED = new Decision(Action.SPLICE, "default", "test", List.of());
    private static final ChannelInitializer<Channel> EMPTY = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    };

    private final Metrics metrics = Metrics.create();
    private EventLoopGroup group;
    private ServerSocket origin;
    private LoopbackDns dns;
    private DefaultUpstreamConnector connector;

    @BeforeEach
    void start() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        origin = new ServerSocket(0, 50, LOOPBACK);
        useDns(false);
    }

    @AfterEach
    void stop() throws IOException {
        connector.close();
        dns.close();
        origin.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
    }

    @Test
    void aHostsOverrideConnectsWithoutAskingDns() throws Exception {
        Channel channel = connect("origin.test", origin.getLocalPort(), ALLOW_LOOPBACK).get(10, TimeUnit.SECONDS);

        assertThat(channel.remoteAddress()).isEqualTo(new InetSocketAddress(LOOPBACK, origin.getLocalPort()));
        assertThat(dns.queries).hasValue(0);
        channel.close();
    }

    @Test
    void anIpLiteralNeedsNoLookup() throws Exception {
        Channel channel = connect("127.0.0.1", origin.getLocalPort(), ALLOW_LOOPBACK).get(10, TimeUnit.SECONDS);

        assertThat(channel.isActive()).isTrue();
        assertThat(dns.queries).hasValue(0);
        channel.close();
    }

    @Test
    void aNameOnlyDnsKnowsIsResolvedAsynchronously() throws Exception {
        Channel channel = connect("dns-only.test", origin.getLocalPort(), ALLOW_LOOPBACK).get(10, TimeUnit.SECONDS);

        assertThat(channel.isActive()).isTrue();
        assertThat(dns.queries.get()).isPositive();
        channel.close();
    }

    @Test
    void upstreamChannelsDoNotAutoReadAndAllowHalfClose() throws Exception {
        Channel channel = connect("origin.test", origin.getLocalPort(), ALLOW_LOOPBACK).get(10, TimeUnit.SECONDS);

        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(channel.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
        assertThat(channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
        assertThat(metrics.scrape()).contains("sluice_upstream_connect_seconds_count 1");
        channel.close();
    }

    @Test
    void anUnknownNameIsADnsFailure() {
        assertFailure(connect("no-such-name.test", 443, ALLOW_LOOPBACK), UpstreamFailure.DNS_FAILURE);
    }

    @Test
    void aNameServerThatNeverAnswersFailsWithinTheBound() throws IOException {
        useDns(true);
        long started = System.nanoTime();

        assertFailure(connect("slow.test", 443, ALLOW_LOOPBACK), UpstreamFailure.DNS_FAILURE);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void theGuardChecksTheResolvedAddressNotTheName() {
        UpstreamException failure = assertFailure(connect("dns-only.test", origin.getLocalPort(), GUARDED),
                UpstreamFailure.DESTINATION_DENIED);

        assertThat(failure.getMessage()).contains("dns-only.test is 127.0.0.1");
    }

    @Test
    void aClosedPortIsRefused() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = s.getLocalPort();
        }

        assertFailure(connect("127.0.0.1", closed, ALLOW_LOOPBACK), UpstreamFailure.CONNECT_REFUSED);
    }

    @Test
    void failuresAreClassified() {
        InetSocketAddress target = new InetSocketAddress(LOOPBACK, 443);

        assertThat(DefaultUpstreamConnector.classify(target, new ConnectTimeoutException("timed out")).failure())
                .isEqualTo(UpstreamFailure.CONNECT_TIMEOUT);
        assertThat(DefaultUpstreamConnector.classify(target, new java.net.ConnectException("Connection refused"))
                .failure()).isEqualTo(UpstreamFailure.CONNECT_REFUSED);
        assertThat(DefaultUpstreamConnector.classify(target, new java.net.NoRouteToHostException("no route"))
                .failure()).isEqualTo(UpstreamFailure.CONNECT_ERROR);
    }

    private void useDns(boolean silent) throws IOException {
        if (connector != null) {
            connector.close();
            dns.close();
        }
        dns = new LoopbackDns(Map.of("dns-only.test", LOOPBACK, "slow.test", LOOPBACK), silent);
        connector = new DefaultUpstreamConnector(Map.of("origin.test", LOOPBACK), Duration.ofSeconds(5),
                new DestinationGuard(List.of()), metrics, new SingletonDnsServerAddressStreamProvider(dns.address()),
                Duration.ofMillis(500));
    }

    private Future<Channel> connect(String host, int port, Decision decision) {
        return connector.connect(group.next(), host, port, decision, EMPTY);
    }

    private static UpstreamException assertFailure(Future<Channel> future, UpstreamFailure expected) {
        future.awaitUninterruptibly(20, TimeUnit.SECONDS);
        assertThat(future.cause()).isInstanceOf(UpstreamException.class);
        UpstreamException failure = (UpstreamException) future.cause();
        assertThat(failure.failure()).isEqualTo(expected);
        return failure;
    }
}
