package dev.sluice.observe;

import dev.sluice.config.Action;
import dev.sluice.config.GrpcConfig;
import dev.sluice.grpc.GrpcCallRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Every Sluice metric, named in one place ({@code sluice_*}). Hot-path meters (bytes) are resolved once
 * and held in fields; the rest are looked up by tag, bounded by config (rule names) or by enums (reasons).
 *
 * <ul>
 *   <li>{@code sluice_connections_active{kind}} gauge and {@code sluice_connections_total{kind}}: kind is
 *       {@code client} (accepted), {@code tunnel} (CONNECT splice), {@code bump} (a bumped CONNECT, from the
 *       ClientHello on), {@code forward} (absolute-form request)</li>
 *   <li>{@code sluice_connections_refused_total{limit}}: client connections answered 503 because a connection limit
 *       was reached, {@code total} ({@code limits.maxClientConnections}) or {@code per_client}
 *       ({@code limits.maxConnectionsPerClient}); {@code admin}: admin connections closed on accept, past
 *       {@code AdminServer.MAX_CONNECTIONS}</li>
 *   <li>{@code sluice_decisions_total{action,rule}}</li>
 *   <li>{@code sluice_bytes_total{direction}}: {@code upstream} (client to origin), {@code downstream}</li>
 *   <li>{@code sluice_upstream_connect_seconds} histogram</li>
 *   <li>{@code sluice_errors_total{reason}}</li>
 *   <li>{@code sluice_http_requests_total{protocol,method,status}}: forwarded and bumped requests and Sluice's
 *       own answers; protocol is {@code http/1.1} or {@code h2}</li>
 *   <li>{@code sluice_bump_handshakes_total{outcome,reason}}: outcome {@code ok} (reason {@code none}) or
 *       {@code failed} with why; {@code sluice_bump_protocols_total{protocol}}: the ALPN protocol a bump
 *       negotiated ({@code h2}, {@code http/1.1}, {@code grpc-exp}, {@code none}, {@code other});
 *       {@code sluice_bump_setup_seconds} histogram: CONNECT answered to both handshakes done</li>
 *   <li>{@code sluice_leaf_cache_requests_total{result}} ({@code hit}, {@code miss}), {@code sluice_leaf_cache_size},
 *       {@code sluice_leaf_mint_seconds} histogram</li>
 *   <li>{@code sluice_h2_streams_active} gauge and {@code sluice_h2_streams_total}: bridged HTTP/2 streams</li>
 *   <li>{@code sluice_h2_abuse_total{leg,kind}}: bumped HTTP/2 connections Sluice ended with a GOAWAY error because
 *       the peer on that leg ({@code client} or {@code upstream}) broke one of {@code limits.h2}'s protections or the
 *       protocol; kind names it ({@code rapid_reset}, {@code control_frames}, {@code header_list_size}, ...)</li>
 *   <li>{@code sluice_h2_streams_refused_total{reason}}: bumped HTTP/2 client streams refused, {@code refused_stream}
 *       (RST_STREAM REFUSED_STREAM: past {@code limits.h2.maxConcurrentStreams}, or the origin could not take it) or
 *       {@code header_list_size} (answered 431)</li>
 *   <li>{@code sluice_grpc_denied_total{rule}}: gRPC calls a call rule denied (answered {@code PERMISSION_DENIED});
 *       {@code sluice_grpc_unavailable_total{reason}}: gRPC calls Sluice answered {@code UNAVAILABLE} because the
 *       upstream failed them ({@code upstream_reset}, {@code upstream_closed}, or the reason a bump failed upstream
 *       before a gRPC client's handshake: {@code connect_refused}, {@code upstream_untrusted}, ...)</li>
 *   <li>{@code sluice_passthrough_learned_total{reason}} (an origin or a client network learned: {@code mtls},
 *       {@code pinned}), {@code sluice_passthrough_spliced_total{reason}} (bumps spliced instead, because of what was
 *       learned or found out during the bump), {@code sluice_passthrough_network_full_total} (refusals not counted:
 *       the client network holds its most pinned entries) and the gauge {@code sluice_passthrough_entries{reason}}
 *       (held now; pinned entries below their threshold included)</li>
 *   <li>{@code sluice_grpc_calls_total{service,method,code}}, {@code sluice_grpc_call_duration_seconds{service,method}}
 *       histogram and {@code sluice_grpc_messages_total{direction}} ({@code request}, {@code response}): gRPC calls
 *       inside bumps, with {@code grpc.callView} on; code is the status's canonical name, {@code NONE} or
 *       {@code OTHER}; service and method labels bounded by {@code grpc.maxMethodLabels} and given only to
 *       methods the origin answered with a status other than UNIMPLEMENTED (see {@link GrpcCallMetrics})</li>
 *   <li>{@code sluice_access_log_dropped_total}, {@code sluice_build_info{version}}, {@code sluice_config_rules}</li>
 *   <li>{@code sluice_config_reloads_total{result}} ({@code success}, {@code failure}),
 *       {@code sluice_config_last_reload_successful} (1 or 0) and
 *       {@code sluice_config_last_reload_success_timestamp_seconds} (the start counts as a successful load)</li>
 *   <li>{@code sluice_drain_connections_closed_total{how}}: client connections a stop drained, {@code finished}
 *       (ended within {@code timeouts.drain}) or {@code forced} (closed at its deadline)</li>
 *   <li>{@code sluice_config_reload_retired_connections_total}: open client connections a reload that changed
 *       what decides asked to finish under the old configuration</li>
 *   <li>JVM (memory, GC, threads, classes, CPU, files, uptime) and Netty allocator metrics</li>
 * </ul>
 *
 * Names are Micrometer's dotted form; the Prometheus registry turns {@code sluice.connections} into
 * {@code sluice_connections_total}, timers into {@code _seconds}.
 */
public final class Metrics implements AutoCloseable {
    public static final String CONNECTIONS_ACTIVE = "sluice.connections.active";
    public static final String CONNECTIONS = "sluice.connections";
    public static final String CONNECTIONS_REFUSED = "sluice.connections.refused";
    public static final String DECISIONS = "sluice.decisions";
    public static final String BYTES = "sluice.bytes";
    public static final String UPSTREAM_CONNECT = "sluice.upstream.connect";
    public static final String ERRORS = "sluice.errors";
    public static final String HTTP_REQUESTS = "sluice.http.requests";
    public static final String ACCESS_LOG_DROPPED = "sluice.access.log.dropped";
    public static final String BUILD_INFO = "sluice.build.info";
    public static final String CONFIG_RULES = "sluice.config.rules";
    public static final String BUMP_HANDSHAKES = "sluice.bump.handshakes";
    public static final String BUMP_PROTOCOLS = "sluice.bump.protocols";
    public static final String BUMP_SETUP = "sluice.bump.setup";
    public static final String LEAF_CACHE_REQUESTS = "sluice.leaf.cache.requests";
    public static final String LEAF_CACHE_SIZE = "sluice.leaf.cache.size";
    public static final String LEAF_MINT = "sluice.leaf.mint";
    public static final String H2_STREAMS_ACTIVE = "sluice.h2.streams.active";
    public static final String H2_STREAMS = "sluice.h2.streams";
    public static final String GRPC_DENIED = "sluice.grpc.denied";
    public static final String GRPC_UNAVAILABLE = "sluice.grpc.unavailable";
    public static final String PASSTHROUGH_LEARNED = "sluice.passthrough.learned";
    public static final String PASSTHROUGH_SPLICED = "sluice.passthrough.spliced";
    public static final String PASSTHROUGH_ENTRIES = "sluice.passthrough.entries";
    public static final String PASSTHROUGH_NETWORK_FULL = "sluice.passthrough.network.full";
    public static final String GRPC_CALLS = "sluice.grpc.calls";
    public static final String GRPC_CALL_DURATION = "sluice.grpc.call.duration";
    public static final String GRPC_MESSAGES = "sluice.grpc.messages";
    public static final String H2_ABUSE = "sluice.h2.abuse";
    public static final String CONFIG_RELOADS = "sluice.config.reloads";
    public static final String CONFIG_LAST_RELOAD_SUCCESSFUL = "sluice.config.last.reload.successful";
    public static final String CONFIG_LAST_RELOAD_SUCCESS = "sluice.config.last.reload.success.timestamp";
    public static final String DRAIN_CLOSED = "sluice.drain.connections.closed";
    public static final String RELOAD_RETIRED = "sluice.config.reload.retired.connections";
    public static final String H2_STREAMS_REFUSED = "sluice.h2.streams.refused";

    public static final String KIND_CLIENT = "client";
    public static final String KIND_TUNNEL = "tunnel";
    public static final String KIND_FORWARD = "forward";
    public static final String KIND_BUMP = "bump";

    public static final String PROTOCOL_HTTP1 = "http/1.1";
    public static final String PROTOCOL_H2 = "h2";
    /** The ALPN outcome of a bump that selected no protocol. */
    public static final String PROTOCOL_NONE = "none";

    /** Connection-latency buckets: loopback sub-millisecond up to the longest sensible connect timeout. */
    static final Duration[] CONNECT_BUCKETS = {
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** Methods counted by name; any other token a client sends counts as {@code other}. */
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** Caps on distinct tag values; far above what a sane config or the code itself produces. */
    private static final int MAX_KINDS = 16;
    private static final int MAX_RULES = 1024;
    private static final int MAX_REASONS = 128;
    private static final int MAX_STATUSES = 64;
    /** {@code mtls} and {@code pinned}. */
    private static final int MAX_PASSTHROUGH_REASONS = 4;
    /** ALPN outcomes counted by name; anything else a client and origin agree on counts as {@code other}. */
    private static final Set<String> KNOWN_ALPN = Set.of(PROTOCOL_H2, PROTOCOL_HTTP1, "grpc-exp", PROTOCOL_NONE);
    /** Bump setups and mints: a warm loopback bump is a millisecond or two; a slow origin takes seconds. */
    static final Duration[] BUMP_BUCKETS = {
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5)};

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final Map<Action, CounterFamily> decisions = new EnumMap<>(Action.class);
    /** By protocol, then by method. */
    private final Map<String, Map<String, CounterFamily>> httpRequests;
    private final CounterFamily errors;
    private final CounterFamily connectionsRefused;
    private final Counter bytesUpstream;
    private final Counter bytesDownstream;
    private final Counter accessLogDropped;
    private final Timer upstreamConnect;
    private final AtomicInteger configRules = new AtomicInteger();
    private final AtomicInteger lastReloadSuccessful = new AtomicInteger(1);
    private final AtomicLong lastReloadSuccess = new AtomicLong(System.currentTimeMillis());
    private final CounterFamily bumpFailures;
    private final Counter bumpSuccesses;
    private final CounterFamily bumpProtocols;
    private final Timer bumpSetup;
    private final Timer leafMint;
    private final AtomicLong h2StreamsActive = new AtomicLong();
    private final Counter h2Streams;
    /** By leg. */
    private final Map<String, CounterFamily> h2Abuse;
    private final CounterFamily h2StreamsRefused;
    private final CounterFamily grpcDenied;
    private final CounterFamily grpcUnavailable;
    private final GrpcCallMetrics grpcCalls;
    private volatile LongSupplier[] leafCacheSources;
    private final CounterFamily passthroughLearned;
    private final CounterFamily passthroughSpliced;
    private final Counter passthroughNetworkFull;
    /** By reason; read through this object, which the registry holds strongly (see {@link #leafCache}). */
    private final Map<String, LongSupplier> passthroughEntrySources = new ConcurrentHashMap<>();

    /** One connection kind: its live count and its running total. */
    private record Kind(AtomicLong active, Counter total) {
    }

    private Metrics(PrometheusMeterRegistry registry, GrpcConfig grpc) {
        this.registry = registry;
        for (String kind : new String[] {KIND_CLIENT, KIND_TUNNEL, KIND_BUMP, KIND_FORWARD}) {
            kinds.put(kind, registerKind(kind));
        }
        for (Action action : Action.values()) {
            decisions.put(action, new CounterFamily(registry, DECISIONS, "Policy decisions by action and deciding rule",
                    Tags.of("action", action.yamlName()), "rule", MAX_RULES));
        }
        httpRequests = Map.of(PROTOCOL_HTTP1, httpRequestFamilies(PROTOCOL_HTTP1),
                PROTOCOL_H2, httpRequestFamilies(PROTOCOL_H2));
        errors = new CounterFamily(registry, ERRORS, "Failures by reason", Tags.empty(), "reason", MAX_REASONS);
        connectionsRefused = new CounterFamily(registry, CONNECTIONS_REFUSED,
                "Client connections refused with 503 because a connection limit was reached, by limit", Tags.empty(),
                "limit", MAX_KINDS);
        bytesUpstream = bytes("upstream");
        bytesDownstream = bytes("downstream");
        accessLogDropped = Counter.builder(ACCESS_LOG_DROPPED)
                .description("Access-log lines lost: the queue was full (output too slow) or the write failed")
                .register(registry);
        upstreamConnect = Timer.builder(UPSTREAM_CONNECT)
                .description("Time to establish the upstream TCP connection")
                .serviceLevelObjectives(CONNECT_BUCKETS)
                .register(registry);
        String handshakes = "Bumps by outcome: ok, or failed and why";
        bumpSuccesses = Counter.builder(BUMP_HANDSHAKES).description(handshakes)
                .tags("outcome", "ok", "reason", "none").register(registry);
        bumpFailures = new CounterFamily(registry, BUMP_HANDSHAKES, handshakes, Tags.of("outcome", "failed"), "reason",
                MAX_REASONS);
        bumpProtocols = new CounterFamily(registry, BUMP_PROTOCOLS, "ALPN protocol negotiated by completed bumps",
                Tags.empty(), "protocol", KNOWN_ALPN.size() + 1);
        bumpSetup = Timer.builder(BUMP_SETUP)
                .description("From the CONNECT answer to both TLS handshakes done, ClientHello and minting included")
                .serviceLevelObjectives(BUMP_BUCKETS)
                .register(registry);
        leafMint = Timer.builder(LEAF_MINT).description("Time to mint a leaf")
                .serviceLevelObjectives(BUMP_BUCKETS)
                .register(registry);
        Gauge.builder(H2_STREAMS_ACTIVE, h2StreamsActive, AtomicLong::get)
                .description("HTTP/2 streams being bridged now").register(registry);
        h2Streams = Counter.builder(H2_STREAMS).description("HTTP/2 streams bridged").register(registry);
        String abuse = "Bumped HTTP/2 connections closed with a GOAWAY error for abusing the protocol, by leg and kind";
        h2Abuse = Map.of("client", new CounterFamily(registry, H2_ABUSE, abuse, Tags.of("leg", "client"), "kind",
                        MAX_KINDS),
                "upstream", new CounterFamily(registry, H2_ABUSE, abuse, Tags.of("leg", "upstream"), "kind", MAX_KINDS));
        h2StreamsRefused = new CounterFamily(registry, H2_STREAMS_REFUSED,
                "Bumped HTTP/2 client streams refused, by reason", Tags.empty(), "reason", MAX_KINDS);
        grpcDenied = new CounterFamily(registry, GRPC_DENIED, "gRPC calls denied by a call rule, by rule",
                Tags.empty(), "rule", MAX_RULES);
        grpcUnavailable = new CounterFamily(registry, GRPC_UNAVAILABLE,
                "gRPC calls Sluice answered UNAVAILABLE because the upstream failed them, by reason", Tags.empty(),
                "reason", MAX_REASONS);
        passthroughLearned = new CounterFamily(registry, PASSTHROUGH_LEARNED,
                "Origins (mtls) and client networks (pinned) automatic passthrough learned to splice", Tags.empty(),
                "reason", MAX_PASSTHROUGH_REASONS);
        passthroughSpliced = new CounterFamily(registry, PASSTHROUGH_SPLICED,
                "Connections a rule would bump that automatic passthrough spliced, by reason", Tags.empty(), "reason",
                MAX_PASSTHROUGH_REASONS);
        passthroughNetworkFull = Counter.builder(PASSTHROUGH_NETWORK_FULL)
                .description("Refused leaves not counted for pinned passthrough: the client network holds its most "
                        + "entries").register(registry);
        grpcCalls = new GrpcCallMetrics(registry, grpc.maxMethodLabels());
        Gauge.builder(BUILD_INFO, () -> 1).description("Always 1; the version tag names the running build")
                .tag("version", version()).register(registry);
        Gauge.builder(CONFIG_RULES, configRules, AtomicInteger::get)
                .description("Rules in the active configuration").register(registry);
        Gauge.builder(CONFIG_LAST_RELOAD_SUCCESSFUL, lastReloadSuccessful, AtomicInteger::get)
                .description("1 when the latest configuration load or reload succeeded, else 0").register(registry);
        Gauge.builder(CONFIG_LAST_RELOAD_SUCCESS, lastReloadSuccess, ms -> ms.get() / 1000.0).baseUnit("seconds")
                .description("When the configuration in force was loaded (Unix time)").register(registry);
        // Registered at zero, so that an alert on their increase sees the first one.
        configReload("success", 0);
        configReload("failure", 0);
        drainClosed("finished", 0);
        drainClosed("forced", 0);
        reloadRetired(0);

        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // Netty 4.2's default allocator is the adaptive one; the binder reads any allocator that exposes metrics.
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
    }

    /** With the default {@code grpc:} settings. */
    public static Metrics create() {
        return create(GrpcConfig.DEFAULTS);
    }

    /** @param grpc bounds the {@code sluice_grpc_*} labels ({@code grpc.maxMethodLabels}) */
    public static Metrics create(GrpcConfig grpc) {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), grpc);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened(String kind) {
        Kind k = kind(kind);
        k.active().incrementAndGet();
        k.total().increment();
    }

    public void connectionClosed(String kind) {
        kind(kind).active().decrementAndGet();
    }

    /** @param limit {@code total}, {@code per_client} or {@code admin} */
    public void connectionRefused(String limit) {
        connectionsRefused.counter(limit).increment();
    }

    public void decision(Action action, String rule) {
        decisions.get(action).counter(rule == null ? "default" : rule).increment();
    }

    public void bytesUpstream(long n) {
        bytesUpstream.increment(n);
    }

    public void bytesDownstream(long n) {
        bytesDownstream.increment(n);
    }

    public void upstreamConnectNanos(long nanos) {
        upstreamConnect.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void error(String reason) {
        errors.counter(reason).increment();
    }

    /** An HTTP/1.1 response: the front door's own answers and forwarded requests. */
    public void httpRequest(String method, int status) {
        httpRequest(PROTOCOL_HTTP1, method, status);
    }

    /**
     * A response to a client; {@code protocol} is {@link #PROTOCOL_HTTP1} or {@link #PROTOCOL_H2}, {@code method} null
     * when unknown.
     */
    public void httpRequest(String protocol, String method, int status) {
        Map<String, CounterFamily> byMethod = httpRequests.getOrDefault(protocol, httpRequests.get(PROTOCOL_HTTP1));
        // No method when the request line was never read whole (a malformed or timed-out bumped request).
        CounterFamily family = method == null ? null : byMethod.get(method);
        if (family == null) {
            family = byMethod.get(CounterFamily.OVERFLOW);
        }
        family.counter(status >= 100 && status <= 999 ? Integer.toString(status) : CounterFamily.OVERFLOW).increment();
    }

    /**
     * A bump completed both handshakes.
     *
     * @param alpn  the protocol negotiated with both sides, or null for none
     * @param nanos from the CONNECT answer until both handshakes were done
     */
    public void bumpSucceeded(String alpn, long nanos) {
        bumpSuccesses.increment();
        String protocol = alpn == null ? PROTOCOL_NONE : alpn;
        bumpProtocols.counter(KNOWN_ALPN.contains(protocol) ? protocol : CounterFamily.OVERFLOW).increment();
        bumpSetup.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A bump that could not complete; {@code reason} is a short literal such as {@code upstream_untrusted}. */
    public void bumpFailed(String reason) {
        bumpFailures.counter(reason).increment();
    }

    public void leafMintNanos(long nanos) {
        leafMint.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Exposes a leaf cache's own counts, read at scrape time; a later call (a reload that made a new cache) points
     * the same meters at the new cache, whose counts start again from zero.
     */
    public synchronized void leafCache(LongSupplier hits, LongSupplier misses, LongSupplier size) {
        // Micrometer holds a function meter's state object weakly: the suppliers live in a field of ours, and the
        // meters read them through this object, which lives as long as the registry is in use.
        boolean registered = leafCacheSources != null;
        leafCacheSources = new LongSupplier[] {hits, misses, size};
        if (registered) {
            return;
        }
        String description = "Leaf lookups: hit (cached or joining a mint in flight) or miss (started a mint)";
        FunctionCounter.builder(LEAF_CACHE_REQUESTS, this, m -> m.leafCacheSource(0)).description(description)
                .tag("result", "hit").register(registry);
        FunctionCounter.builder(LEAF_CACHE_REQUESTS, this, m -> m.leafCacheSource(1)).description(description)
                .tag("result", "miss").register(registry);
        Gauge.builder(LEAF_CACHE_SIZE, this, m -> m.leafCacheSource(2)).description("Minted leaves held")
                .register(registry);
    }

    private double leafCacheSource(int index) {
        LongSupplier[] sources = leafCacheSources;
        return sources == null ? 0 : sources[index].getAsLong();
    }

    /** Automatic passthrough learned an origin or a client network; {@code reason} is {@code mtls} or {@code pinned}. */
    public void passthroughLearned(String reason) {
        passthroughLearned.counter(reason).increment();
    }

    /** A client refused a leaf for a new server name, but its network holds all the pinned entries it may. */
    public void passthroughNetworkFull() {
        passthroughNetworkFull.increment();
    }

    /** A connection a rule would bump was spliced by automatic passthrough. */
    public void passthroughSpliced(String reason) {
        passthroughSpliced.counter(reason).increment();
    }

    /** Exposes how many entries of one reason ({@code mtls}, {@code pinned}) automatic passthrough holds, read at scrape time. */
    public void passthroughEntries(String reason, LongSupplier size) {
        passthroughEntrySources.put(reason, size);
        Gauge.builder(PASSTHROUGH_ENTRIES, this, m -> m.passthroughEntrySources.get(reason).getAsLong())
                .description("Entries automatic passthrough holds, by reason").tag("reason", reason)
                .register(registry);
    }

    public void h2StreamOpened() {
        h2StreamsActive.incrementAndGet();
        h2Streams.increment();
    }

    public void h2StreamClosed() {
        h2StreamsActive.decrementAndGet();
    }

    /**
     * A bumped HTTP/2 connection was closed with a GOAWAY error; {@code kind} names the abuse.
     *
     * @param leg {@code client} or {@code upstream}: whose connection it was
     */
    public void h2Abuse(String leg, String kind) {
        h2Abuse.getOrDefault(leg, h2Abuse.get("client")).counter(kind).increment();
    }

    /** A bumped HTTP/2 client stream was refused; {@code reason} is {@code refused_stream} or {@code header_list_size}. */
    public void h2StreamRefused(String reason) {
        h2StreamsRefused.counter(reason).increment();
    }

    /** A call rule denied a gRPC call; Sluice answered it {@code PERMISSION_DENIED}. */
    public void grpcDenied(String rule) {
        grpcDenied.counter(rule).increment();
    }

    /** Sluice answered a gRPC call {@code UNAVAILABLE}; {@code reason} is the exchange's error. */
    public void grpcUnavailable(String reason) {
        grpcUnavailable.counter(reason).increment();
    }

    /**
     * A gRPC call the per-call view saw end; {@code nanos} from its request head to its end.
     *
     * @param answeredBySluice whether its status is Sluice's own (a call rule's denial, an UNAVAILABLE answer), which
     *                         never earns a method its own labels
     */
    public void grpcCall(GrpcCallRecord call, long nanos, boolean answeredBySluice) {
        grpcCalls.call(call, nanos, answeredBySluice);
    }

    /** Called by the access log when its queue is full and a line is lost. */
    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /** Records the size of the configuration now in force. */
    public void configRules(int count) {
        configRules.set(count);
    }

    /** A configuration reload; a failed one leaves the configuration in force as it was. */
    public void configReload(boolean success) {
        configReload(success ? "success" : "failure", 1);
        lastReloadSuccessful.set(success ? 1 : 0);
        if (success) {
            lastReloadSuccess.set(System.currentTimeMillis());
        }
    }

    /** Client connections a stop drained: {@code finished} in time, or {@code forced} closed at the deadline. */
    public void drainClosed(String how, long count) {
        Counter.builder(DRAIN_CLOSED).description("Client connections drained by a stop, by how they ended")
                .tag("how", how).register(registry).increment(count);
    }

    /** Open client connections a reload asked to finish because it changed what decides. */
    public void reloadRetired(long count) {
        Counter.builder(RELOAD_RETIRED).description("Open client connections a reload that changed what decides "
                + "asked to finish under the old configuration").register(registry).increment(count);
    }

    private void configReload(String result, int count) {
        Counter.builder(CONFIG_RELOADS).description("Configuration reloads by result").tag("result", result)
                .register(registry).increment(count);
    }

    /** Stops the GC listener the JVM metrics installed; the registry is unusable afterwards. */
    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private Kind kind(String kind) {
        Kind k = kinds.get(kind);
        if (k != null) {
            return k;
        }
        // Kinds are literals in code; the cap only guards against a caller passing something unbounded.
        return kinds.computeIfAbsent(kinds.size() < MAX_KINDS ? kind : CounterFamily.OVERFLOW, this::registerKind);
    }

    private Kind registerKind(String kind) {
        AtomicLong active = new AtomicLong();
        Gauge.builder(CONNECTIONS_ACTIVE, active, AtomicLong::get).description("Open connections by kind")
                .tag("kind", kind).register(registry);
        Counter total = Counter.builder(CONNECTIONS).description("Connections opened by kind")
                .tag("kind", kind).register(registry);
        return new Kind(active, total);
    }

    private Map<String, CounterFamily> httpRequestFamilies(String protocol) {
        Map<String, CounterFamily> byMethod = new HashMap<>();
        for (String method : KNOWN_METHODS) {
            byMethod.put(method, httpRequestFamily(protocol, method));
        }
        byMethod.put(CounterFamily.OVERFLOW, httpRequestFamily(protocol, CounterFamily.OVERFLOW));
        return Map.copyOf(byMethod);
    }

    private CounterFamily httpRequestFamily(String protocol, String method) {
        return new CounterFamily(registry, HTTP_REQUESTS, "HTTP responses to clients by protocol, request method and status",
                Tags.of("protocol", protocol, "method", method), "status", MAX_STATUSES);
    }

    private Counter bytes(String direction) {
        return Counter.builder(BYTES).description("Payload bytes relayed by direction").baseUnit("bytes")
                .tag("direction", direction).register(registry);
    }

    private static String version() {
        String version = Metrics.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
