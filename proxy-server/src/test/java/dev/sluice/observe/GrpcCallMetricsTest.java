package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.GrpcConfig;
import dev.sluice.grpc.GrpcCallRecord;
import dev.sluice.testing.Concurrently;
import dev.sluice.testing.PrometheusText;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code sluice_grpc_*} families through the real Prometheus registry, and the bound on their labels: only
 * methods the origin knows (a status of its own other than UNIMPLEMENTED) earn labels, at most maxMethodLabels.
 */
class GrpcCallMetricsTest {
    private static final int UNIMPLEMENTED = 12;

    private Metrics metrics = Metrics.create();

    @AfterEach
    void close() {
        metrics.close();
    }

    private static GrpcCallRecord call(String service, String method, int code) {
        return new GrpcCallRecord(service, method, code, null, null, null, 1, 3, 10, 30, null, false);
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(metrics.scrape());
    }

    @Test
    void callsAreCountedByServiceMethodAndStatusName() {
        metrics.grpcCall(call("pkg.Svc", "Get", 0), 1_000_000, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 0), 1_000_000, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 5), 1_000_000, false);
        metrics.grpcCall(call("pkg.Svc", "Put", 16), 1_000_000, false);

        PrometheusText text = scrape();
        assertThat(text.value("sluice_grpc_calls_total", "service", "pkg.Svc", "method", "Get", "code", "OK"))
                .isEqualTo(2);
        assertThat(text.value("sluice_grpc_calls_total", "service", "pkg.Svc", "method", "Get", "code", "NOT_FOUND"))
                .isEqualTo(1);
        assertThat(text.value("sluice_grpc_calls_total", "method", "Put", "code", "UNAUTHENTICATED")).isEqualTo(1);
    }

    @Test
    void aCallWithoutStatusIsNoneAndAnUnknownCodeIsOther() {
        metrics.grpcCall(call("pkg.Svc", "Get", -1), 1_000_000, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 42), 1_000_000, false);

        PrometheusText text = scrape();
        assertThat(text.value("sluice_grpc_calls_total", "code", "NONE")).isEqualTo(1);
        assertThat(text.value("sluice_grpc_calls_total", "code", "OTHER")).isEqualTo(1);
    }

    @Test
    void durationsAreAHistogramPerMethod() {
        metrics.grpcCall(call("pkg.Svc", "Get", 0), TimeUnit.MICROSECONDS.toNanos(400), false);
        metrics.grpcCall(call("pkg.Svc", "Get", 0), TimeUnit.MILLISECONDS.toNanos(40), false);
        metrics.grpcCall(call("pkg.Svc", "Watch", 1), TimeUnit.SECONDS.toNanos(600), false);

        PrometheusText text = scrape();
        String get = "sluice_grpc_call_duration_seconds_bucket";
        assertThat(text.value(get, "service", "pkg.Svc", "method", "Get", "le", "0.001")).isEqualTo(1);
        assertThat(text.value(get, "service", "pkg.Svc", "method", "Get", "le", "0.05")).isEqualTo(2);
        assertThat(text.value(get, "method", "Watch", "le", "300.0")).isEqualTo(0);
        assertThat(text.value(get, "method", "Watch", "le", "+Inf")).isEqualTo(1);
        assertThat(text.value("sluice_grpc_call_duration_seconds_count", "method", "Get")).isEqualTo(2);
    }

    @Test
    void messagesAreCountedByDirection() {
        metrics.grpcCall(call("pkg.Svc", "Get", 0), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Put", 0), 1, false);

        PrometheusText text = scrape();
        assertThat(text.value("sluice_grpc_messages_total", "direction", "request")).isEqualTo(2);
        assertThat(text.value("sluice_grpc_messages_total", "direction", "response")).isEqualTo(6);
    }

    @Test
    void nothingIsExposedBeforeTheFirstCall() {
        assertThat(metrics.scrape()).doesNotContain("sluice_grpc");
    }

    @Test
    void tenThousandDistinctMethodsStayWithinTheLabelBound() {
        metrics.close();
        metrics = Metrics.create(new GrpcConfig(true, 20));

        for (int i = 0; i < 10_000; i++) {
            metrics.grpcCall(call("pkg.Svc" + i % 7, "Method" + i, 0), 1_000_000, false);
        }

        PrometheusText text = scrape();
        List<Map<String, String>> pairs = text.labelSets("sluice_grpc_calls_total", "service", "method");
        assertThat(pairs).hasSize(21).contains(Map.of("service", "other", "method", "other"));
        assertThat(text.labelSets("sluice_grpc_call_duration_seconds_count", "service", "method")).hasSize(21);
        assertThat(text.value("sluice_grpc_calls_total")).isEqualTo(10_000);
        assertThat(text.value("sluice_grpc_calls_total", "service", "other", "method", "other")).isEqualTo(10_000 - 20);
        assertThat(text.value("sluice_grpc_call_duration_seconds_count")).isEqualTo(10_000);
    }

    @Test
    void theBoundHoldsWhenManyThreadsRaceForTheLastLabels() throws Exception {
        metrics.close();
        metrics = Metrics.create(new GrpcConfig(true, 20));
        Concurrently.run(4, thread -> {
            for (int i = 0; i < 2_500; i++) {
                metrics.grpcCall(call("pkg.Svc", "M" + (i % 50) + "-" + thread, 0), 1_000, false);
            }
        });

        PrometheusText text = scrape();
        assertThat(text.labelSets("sluice_grpc_calls_total", "service", "method")).hasSize(21);
        assertThat(text.value("sluice_grpc_calls_total")).isEqualTo(10_000);
    }

    @Test
    void madeUpMethodsTheOriginAnswersUnimplementedNeverUseUpTheLabelsOfRealOnes() {
        metrics.close();
        metrics = Metrics.create(new GrpcConfig(true, 20));

        for (int i = 0; i < 500; i++) {
            metrics.grpcCall(call("pkg.Svc", "MadeUp" + i, UNIMPLEMENTED), 1_000, false);
        }
        metrics.grpcCall(call("pkg.Svc", "Get", 0), 1_000, false);
        metrics.grpcCall(call("pkg.Svc", "Put", 9), 1_000, false);

        PrometheusText text = scrape();
        assertThat(text.labelSets("sluice_grpc_calls_total", "service", "method")).containsExactlyInAnyOrder(
                Map.of("service", "other", "method", "other"), Map.of("service", "pkg.Svc", "method", "Get"),
                Map.of("service", "pkg.Svc", "method", "Put"));
        assertThat(text.value("sluice_grpc_calls_total", "service", "other", "method", "other", "code",
                "UNIMPLEMENTED")).isEqualTo(500);
    }

    @Test
    void callsWithoutAStatusOfTheOriginsOwnTakeNoNewLabelButKeepTheirPairsLabel() {
        metrics.grpcCall(call("pkg.Svc", "Get", -1), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 42), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 7), 1, true);
        metrics.grpcCall(call("pkg.Svc", "Get", 14), 1, true);
        assertThat(scrape().labelSets("sluice_grpc_calls_total", "service", "method"))
                .as("no status, a code outside 0-16, Sluice's denial and UNAVAILABLE")
                .containsExactly(Map.of("service", "other", "method", "other"));

        metrics.grpcCall(call("pkg.Svc", "Get", 5), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Get", -1), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 12), 1, false);
        metrics.grpcCall(call("pkg.Svc", "Get", 14), 1, true);

        PrometheusText text = scrape();
        assertThat(text.value("sluice_grpc_calls_total", "service", "pkg.Svc", "method", "Get")).isEqualTo(4);
        assertThat(text.value("sluice_grpc_calls_total", "service", "pkg.Svc", "method", "Get", "code", "NONE"))
                .isEqualTo(1);
        assertThat(text.value("sluice_grpc_calls_total", "service", "other", "method", "other")).isEqualTo(4);
    }

    @Test
    void unnamedPathsAndOverlongNamesGetFixedLabels() {
        metrics.grpcCall(call(null, null, 0), 1, false);
        metrics.grpcCall(call("pkg.Svc", "M".repeat(201), 0), 1, false);
        metrics.grpcCall(call("S".repeat(201), "Get", 0), 1, false);

        PrometheusText text = scrape();
        assertThat(text.value("sluice_grpc_calls_total", "service", "unnamed", "method", "unnamed")).isEqualTo(1);
        assertThat(text.value("sluice_grpc_calls_total", "service", "other", "method", "other")).isEqualTo(2);
        assertThat(text.labelSets("sluice_grpc_calls_total", "service", "method")).hasSize(2);
    }

    @Test
    void hostileNamesAreEscapedInTheScrape() {
        metrics.grpcCall(call("pkg\"Svc\n", "Get\\", 0), 1, false);

        assertThat(scrape().value("sluice_grpc_calls_total", "service", "pkg\"Svc\n", "method", "Get\\"))
                .isEqualTo(1);
    }
}
