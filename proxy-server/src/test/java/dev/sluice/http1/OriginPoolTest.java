package dev.sluice.http1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import dev.sluice.config.Cidr;
import dev.sluice.policy.Decision;
import dev.sluice.testing.SocketOrigin;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idle upstream connections: reused, bounded per origin, closed when idle too long, dropped when dead. */
class OriginPoolTest {
    private static final long PATIENCE_SECONDS = ForwardProxy.PATIENCE.toSeconds();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final LoopbackConnector connector = new LoopbackConnector();
    private final CountDownLatch originMayClose = new CountDownLatch(1);
    private SocketOrigin origin;

    @BeforeEach
    void startOrigin() throws Exception {
        // Connection 0 closes when the test says so; every connection otherwise stays until Sluice closes it.
        origin = new SocketOrigin((index, connection) -> {
            if (index == 0) {
                try {
                    originMayClose.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            connection.awaitClosedByProxy();
        });
    }

    @AfterEach
    void stop() throws Exception {
        originMayClose.countDown();
        origin.close();
        group.shutdownGracefully(0, PATIENCE_SECONDS, TimeUnit.SECONDS).sync();
    }

    @Test
    void aReleasedConnectionIsHandedOutAgain() throws Exception {
        OriginPool pool = pool(8, Duration.ofMinutes(1));
        OriginConnection first = acquire(pool, request(List.of()));

        release(pool, first);
        OriginConnection second = acquire(pool, request(List.of()));

        assertThat(second).isSameAs(first);
        assertThat(connector.connects()).isEqualTo(1);
    }

    @Test
    void connectAlwaysMakesANewConnection() throws Exception {
        OriginPool pool = pool(8, Duration.ofMinutes(1));
        release(pool, acquire(pool, request(List.of())));

        OriginConnection fresh = loop.submit(() -> pool.connect(request(List.of()))).get().get();

        assertThat(fresh.reused()).isFalse();
        assertThat(connector.connects()).isEqualTo(2);
    }

    @Test
    void atMostTheLimitOfIdleConnectionsIsKeptPerOrigin() throws Exception {
        OriginPool pool = pool(1, Duration.ofMinutes(1));
        OriginConnection one = acquire(pool, request(List.of()));
        OriginConnection two = acquire(pool, request(List.of()));

        release(pool, one);
        release(pool, two);

        assertThat(two.channel().closeFuture().await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(one.isActive()).isTrue();
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        OriginPool pool = pool(8, Duration.ofMillis(100));
        OriginConnection connection = acquire(pool, request(List.of()));

        release(pool, connection);

        assertThat(connection.channel().closeFuture().await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(acquire(pool, request(List.of()))).isNotSameAs(connection);
    }

    @Test
    void aConnectionTheOriginClosesWhileIdleIsNotHandedOut() throws Exception {
        OriginPool pool = pool(8, Duration.ofMinutes(1));
        OriginConnection connection = acquire(pool, request(List.of()));
        release(pool, connection);

        originMayClose.countDown();
        assertThat(connection.channel().closeFuture().await(PATIENCE_SECONDS, TimeUnit.SECONDS))
                .as("the origin's close is noticed while the connection idles").isTrue();

        assertThat(acquire(pool, request(List.of()))).isNotSameAs(connection);
        assertThat(connector.connects()).isEqualTo(2);
    }

    @Test
    void requestsDecidedWithDifferentDestinationExemptionsDoNotShareConnections() throws Exception {
        OriginPool pool = pool(8, Duration.ofMinutes(1));
        OriginConnection plain = acquire(pool, request(List.of()));
        release(pool, plain);

        OriginConnection exempt = acquire(pool, request(List.of(Cidr.parse("127.0.0.0/8"))));

        assertThat(exempt).isNotSameAs(plain);
    }

    private OriginPool pool(int maxIdle, Duration idleTimeout) {
        return new OriginPool(loop, connector, maxIdle, idleTimeout);
    }

    private ForwardRequest request(List<Cidr> allowDestinations) {
        Decision decision = new Decision(Action.SPLICE, "r", "test", allowDestinations);
        return new ForwardRequest(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, origin.url("/")),
                InetAddress.getLoopbackAddress().getHostAddress(), origin.port(), decision, null, Instant.now());
    }

    private OriginConnection acquire(OriginPool pool, ForwardRequest request) throws Exception {
        return loop.submit(() -> pool.acquire(request)).get().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** As an exchange does when its response is complete on a reusable connection. */
    private void release(OriginPool pool, OriginConnection connection) throws Exception {
        loop.submit(() -> {
            connection.detach(true);
            pool.release(connection);
        }).get();
    }
}
