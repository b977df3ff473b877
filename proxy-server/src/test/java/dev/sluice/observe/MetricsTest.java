package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Action;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final Metrics metrics = Metrics.create();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void connectionsAreCountedAndTrackedPerKind() {
        metrics.connectionOpened(Metrics.KIND_CLIENT);
        metrics.connectionOpened(Metrics.KIND_CLIENT);
        metrics.connectionOpened(Metrics.KIND_TUNNEL);
        metrics.connectionClosed(Metrics.KIND_CLIENT);

        assertThat(lines())
                .contains("sluice_connections_active{kind=\"client\"} 1.0",
                        "sluice_connections_active{kind=\"tunnel\"} 1.0",
                        "sluice_connections_active{kind=\"forward\"} 0.0",
                        "sluice_connections_total{kind=\"client\"} 2.0",
                        "sluice_connections_total{kind=\"tunnel\"} 1.0");
    }

    @Test
    void kindsBeyondTheKnownOnesAreAccepted() {
        metrics.connectionOpened("bumped");

        assertThat(lines()).contains("sluice_connections_active{kind=\"bumped\"} 1.0",
                "sluice_connections_total{kind=\"bumped\"} 1.0");
    }

    @Test
    void decisionsAreCountedByActionAndRule() {
        metrics.decision(Action.SPLICE, "mgmt-plane");
        metrics.decision(Action.DENY, "blocked");
        metrics.decision(Action.DENY, "blocked");
        metrics.decision(Action.SPLICE, null);

        assertThat(lines()).contains(
                "sluice_decisions_total{action=\"splice\",rule=\"mgmt-plane\"} 1.0",
                "sluice_decisions_total{action=\"deny\",rule=\"blocked\"} 2.0",
                "sluice_decisions_total{action=\"splice\",rule=\"default\"} 1.0");
    }

    @Test
    void bytesAreCountedByDirection() {
        metrics.bytesUpstream(100);
        metrics.bytesUpstream(23);
        metrics.bytesDownstream(4096);

        assertThat(lines()).contains("sluice_bytes_total{direction=\"upstream\"} 123.0",
                "sluice_bytes_total{direction=\"downstream\"} 4096.0");
    }

    @Test
    void upstreamConnectLatencyIsAHistogramFromHalfAMillisecondToTenSeconds() {
        metrics.upstreamConnectNanos(TimeUnit.MICROSECONDS.toNanos(300));
        metrics.upstreamConnectNanos(TimeUnit.MILLISECONDS.toNanos(40));

        assertThat(lines()).contains(
                "sluice_upstream_connect_seconds_bucket{le=\"5.0E-4\"} 1",
                "sluice_upstream_connect_seconds_bucket{le=\"0.05\"} 2",
                "sluice_upstream_connect_seconds_bucket{le=\"10.0\"} 2",
                "sluice_upstream_connect_seconds_bucket{le=\"+Inf\"} 2",
                "sluice_upstream_connect_seconds_count 2");
    }

    @Test
    void errorsAreCountedByReason() {
        metrics.error("connect_refused");
        metrics.error("connect_refused");
        metrics.error("client_reset");

        assertThat(lines()).contains("sluice_errors_total{reason=\"connect_refused\"} 2.0",
                "sluice_errors_total{reason=\"client_reset\"} 1.0");
    }

    @Test
    void httpResponsesAreCountedByMethodAndStatus() {
        metrics.httpRequest("GET", 200);
        metrics.httpRequest("CONNECT", 403);

        metrics.httpRequest(Metrics.PROTOCOL_H2, "POST", 200);

        assertThat(lines()).contains("sluice_http_requests_total{method=\"GET\",protocol=\"http/1.1\",status=\"200\"} 1.0",
                "sluice_http_requests_total{method=\"CONNECT\",protocol=\"http/1.1\",status=\"403\"} 1.0",
                "sluice_http_requests_total{method=\"POST\",protocol=\"h2\",status=\"200\"} 1.0");
    }

    @Test
    void bumpsAreCountedByOutcomeReasonAndProtocol() {
        metrics.bumpSucceeded("h2", 2_000_000);
        metrics.bumpSucceeded(null, 1_000_000);
        metrics.bumpSucceeded("imap", 1_000_000);
        metrics.bumpFailed("upstream_untrusted");

        assertThat(lines()).contains(
                "sluice_bump_handshakes_total{outcome=\"ok\",reason=\"none\"} 3.0",
                "sluice_bump_handshakes_total{outcome=\"failed\",reason=\"upstream_untrusted\"} 1.0",
                "sluice_bump_protocols_total{protocol=\"h2\"} 1.0",
                "sluice_bump_protocols_total{protocol=\"none\"} 1.0",
                "sluice_bump_protocols_total{protocol=\"other\"} 1.0",
                "sluice_bump_setup_seconds_count 3");
    }

    @Test
    void leafCacheMintsAndStreamsAreExposed() {
        metrics.leafCache(() -> 5, () -> 2, () -> 2);
        metrics.leafMintNanos(1_500_000);
        metrics.h2StreamOpened();
        metrics.h2StreamOpened();
        metrics.h2StreamClosed();

        assertThat(lines()).contains("sluice_leaf_cache_requests_total{result=\"hit\"} 5.0",
                "sluice_leaf_cache_requests_total{result=\"miss\"} 2.0", "sluice_leaf_cache_size 2.0",
                "sluice_leaf_mint_seconds_count 1", "sluice_h2_streams_active 1.0", "sluice_h2_streams_total 2.0");
    }

    @Test
    void http2AbuseIsCountedByLegAndKind() {
        metrics.h2Abuse("client", "rapid_reset");
        metrics.h2Abuse("client", "rapid_reset");
        metrics.h2Abuse("upstream", "control_frames");

        assertThat(lines()).contains("sluice_h2_abuse_total{kind=\"rapid_reset\",leg=\"client\"} 2.0",
                "sluice_h2_abuse_total{kind=\"control_frames\",leg=\"upstream\"} 1.0");
    }

    @Test
    void refusedHttp2StreamsAreCountedByReason() {
        metrics.h2StreamRefused("refused_stream");
        metrics.h2StreamRefused("header_list_size");

        assertThat(lines()).contains("sluice_h2_streams_refused_total{reason=\"refused_stream\"} 1.0",
                "sluice_h2_streams_refused_total{reason=\"header_list_size\"} 1.0");
    }

    @Test
    void methodsAndStatusesFromClientsCannotGrowTheRegistry() {
        metrics.httpRequest("BREW", 418);
        metrics.httpRequest("X-" + "A".repeat(100), 200);
        metrics.httpRequest("GET", 0);

        assertThat(lines()).contains("sluice_http_requests_total{method=\"other\",protocol=\"http/1.1\",status=\"418\"} 1.0",
                "sluice_http_requests_total{method=\"other\",protocol=\"http/1.1\",status=\"200\"} 1.0",
                "sluice_http_requests_total{method=\"GET\",protocol=\"http/1.1\",status=\"other\"} 1.0");
    }

    @Test
    void aRequestWhoseMethodWasNeverReadCountsAsOther() {
        metrics.httpRequest(null, 408);

        assertThat(lines()).contains(
                "sluice_http_requests_total{method=\"other\",protocol=\"http/1.1\",status=\"408\"} 1.0");
    }

    @Test
    void tagValuesPastTheCapCountAsOther() {
        for (int i = 0; i < 200; i++) {
            metrics.error("reason-" + i);
        }

        List<String> errorLines = lines().stream().filter(l -> l.startsWith("sluice_errors_total{")).toList();
        assertThat(errorLines).hasSizeLessThanOrEqualTo(129)
                .anySatisfy(l -> assertThat(l).startsWith("sluice_errors_total{reason=\"other\"}"));
    }

    @Test
    void accessLogDropsBuildInfoAndConfigSizeAreExposed() {
        metrics.accessLogDropped();
        metrics.configRules(7);

        assertThat(lines()).contains("sluice_access_log_dropped_total 1.0", "sluice_config_rules 7.0")
                .anySatisfy(l -> assertThat(l).matches("sluice_build_info\\{version=\"[^\"]+\"} 1(\\.0)?"));
    }

    @Test
    void jvmAndNettyAllocatorMetricsAreBound() {
        String text = metrics.scrape();

        assertThat(text).contains("jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total",
                "jvm_threads_live_threads", "jvm_classes_loaded_classes", "system_cpu_count",
                "process_files_open_files", "process_uptime_seconds",
                "netty_allocator_memory_used{");
    }

    @Test
    void everyMeterOfOursIsNamedSluice() {
        String[] ours = {Metrics.CONNECTIONS_ACTIVE, Metrics.CONNECTIONS, Metrics.DECISIONS, Metrics.BYTES,
                Metrics.UPSTREAM_CONNECT, Metrics.ERRORS, Metrics.HTTP_REQUESTS, Metrics.ACCESS_LOG_DROPPED,
                Metrics.BUILD_INFO, Metrics.CONFIG_RULES, Metrics.BUMP_HANDSHAKES, Metrics.BUMP_PROTOCOLS,
                Metrics.BUMP_SETUP, Metrics.LEAF_CACHE_REQUESTS, Metrics.LEAF_CACHE_SIZE, Metrics.LEAF_MINT,
                Metrics.H2_STREAMS_ACTIVE, Metrics.H2_STREAMS, Metrics.GRPC_CALLS, Metrics.GRPC_CALL_DURATION,
                Metrics.GRPC_MESSAGES, Metrics.PASSTHROUGH_NETWORK_FULL, Metrics.CONFIG_RELOADS,
                Metrics.CONFIG_LAST_RELOAD_SUCCESSFUL, Metrics.CONFIG_LAST_RELOAD_SUCCESS, Metrics.DRAIN_CLOSED,
                Metrics.RELOAD_RETIRED};

        assertThat(ours).allSatisfy(name -> assertThat(name).startsWith("sluice."));
        assertThat(metrics.registry().getMeters().stream().map(m -> m.getId().getName())
                .filter(n -> !n.startsWith("jvm.") && !n.startsWith("process.") && !n.startsWith("system.")
                        && !n.startsWith("netty."))
                .collect(Collectors.toSet()))
                .isSubsetOf(Arrays.asList(ours));
    }

    private List<String> lines() {
        return metrics.scrape().lines().toList();
    }
}
