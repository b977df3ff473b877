package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcAnyMethodServer;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.PrometheusText;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The {@code grpc:} settings of the per-call view, through a real bump: the label bound, and the view off. */
class GrpcCallViewSettingsTest {
    private static final String SERVICE = "sluice.test.Many";
    private static final int LABELS = 20;
    private static final int METHODS = 10_000;
    private static final int IN_FLIGHT = 32;

    @Test
    void tenThousandDistinctMethodsGetAtMostTheBoundOfLabelsAndAreAllCounted() throws Exception {
        try (SluiceFixture sluice = SluiceFixture.builder().tls()
                .yaml("default: bump\ngrpc:\n  maxMethodLabels: " + LABELS).start();
             GrpcAnyMethodServer any = GrpcAnyMethodServer.start()) {
            ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), any.port(),
                    sluice.ca().certificate());
            try {
                callDistinctMethods(channel, METHODS);
            } finally {
                GrpcChannels.close(channel);
            }

            sluice.awaitMetric(METHODS, "sluice_grpc_calls_total");
            PrometheusText metrics = sluice.metrics();
            List<Map<String, String>> pairs = metrics.labelSets("sluice_grpc_calls_total", "service", "method");
            assertThat(pairs).hasSize(LABELS + 1).contains(Map.of("service", "other", "method", "other"));
            assertThat(metrics.value("sluice_grpc_calls_total")).isEqualTo(METHODS);
            assertThat(metrics.value("sluice_grpc_calls_total", "code", "OK")).isEqualTo(METHODS);
            assertThat(metrics.value("sluice_grpc_calls_total", "service", "other", "method", "other"))
                    .isEqualTo(METHODS - LABELS);
            assertThat(metrics.labelSets("sluice_grpc_call_duration_seconds_count", "service", "method"))
                    .hasSize(LABELS + 1);
            assertThat(metrics.value("sluice_grpc_call_duration_seconds_count")).isEqualTo(METHODS);
        }
    }

    @Test
    void withTheViewOffACallIsLoggedAndCountedAsAPlainRequest() throws Exception {
        try (SluiceFixture sluice = SluiceFixture.builder().tls().yaml("default: bump\ngrpc:\n  callView: false")
                .start();
             GrpcAnyMethodServer any = GrpcAnyMethodServer.start()) {
            ManagedChannel channel = GrpcChannels.throughProxy(sluice.proxyAddress(), any.port(),
                    sluice.ca().certificate());
            try {
                ClientCalls.blockingUnaryCall(channel, GrpcAnyMethodServer.unary(SERVICE, "Echo"),
                        GrpcCalls.options(), new byte[] {1, 2, 3});
            } finally {
                GrpcChannels.close(channel);
            }

            String target = "https://" + TestOrigins.authority(any.port()) + "/" + SERVICE + "/Echo";
            AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
            assertThat(line.number("status")).isEqualTo(200);
            assertThat(line.fields().keySet()).noneMatch(key -> key.startsWith("grpc_"));
            sluice.awaitMetric(1, "sluice_http_requests_total", "protocol", "h2", "method", "POST", "status", "200");
            assertThat(sluice.metrics().toString()).doesNotContain("sluice_grpc");
        }
    }

    /** {@code count} unary calls, each to its own method, {@link #IN_FLIGHT} at a time; fails on the first error. */
    private static void callDistinctMethods(ManagedChannel channel, int count) throws InterruptedException {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < count && failure.get() == null; i++) {
            assertThat(slots.tryAcquire(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("a call slot within " + SluiceFixture.PATIENCE).isTrue();
            Futures.addCallback(ClientCalls.futureUnaryCall(
                    channel.newCall(GrpcAnyMethodServer.unary(SERVICE, "Method" + i), GrpcCalls.options()),
                    new byte[] {7}), new FutureCallback<byte[]>() {
                        @Override
                        public void onSuccess(byte[] reply) {
                            slots.release();
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            failure.compareAndSet(null, t);
                            slots.release();
                        }
                    }, MoreExecutors.directExecutor());
        }
        assertThat(slots.tryAcquire(IN_FLIGHT, SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("every call ended").isTrue();
        assertThat(failure.get()).as("a call failed").isNull();
    }
}
