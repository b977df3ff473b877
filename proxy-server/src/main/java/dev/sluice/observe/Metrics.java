package dev.sluice.observe;

import dev.sluice.config.Action;
import io.micrometer.core.instrument.Counter;
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

/**
 * Every Sluice metric, named in one place ({@code sluice_*}). Hot-path meters (bytes) are resolved once
 * and held in fields; the rest are looked up by tag, bounded by config (rule names) or by enums (reasons).
 *
 * <ul>
 *   <li>{@code sluice_connections_active{kind}} gauge and {@code sluice_connections_total{kind}}: kind is
 *       {@code client} (accepted), {@code tunnel} (CONNECT splice), {@code forward} (absolute-form request)</li>
 *   <li>{@code sluice_decisions_total{action,rule}}</li>
 *   <li>{@code sluice_bytes_total{direction}}: {@code upstream} (client to origin), {@code downstream}</li>
 *   <li>{@code sluice_upstream_connect_seconds} histogram</li>
 *   <li>{@code sluice_errors_total{reason}}</li>
 *   <li>{@code sluice_http_requests_total{method,status}} for forwarded requests and Sluice's own answers</li>
 *   <li>{@code sluice_access_log_dropped_total}, {@code sluice_build_info{version}}, {@code sluice_config_rules}</li>
 *   <li>JVM (memory, GC, threads, classes, CPU, files, uptime) and Netty allocator metrics</li>
 * </ul>
 *
 * Names are Micrometer's dotted form; the Prometheus registry turns {@code sluice.connections} into
 * {@code sluice_connections_total}, timers into {@code _seconds}.
 */
public final class Metrics implements AutoCloseable {
    public static final String CONNECTIONS_ACTIVE = "sluice.connections.active";
    public static final String CONNECTIONS = "sluice.connections";
    public static final String DECISIONS = "sluice.decisions";
    public static final String BYTES = "sluice.bytes";
    public static final String UPSTREAM_CONNECT = "sluice.upstream.connect";
    public static final String ERRORS = "sluice.errors";
    public static final String HTTP_REQUESTS = "sluice.http.requests";
    public static final String ACCESS_LOG_DROPPED = "sluice.access.log.dropped";
    public static final String BUILD_INFO = "sluice.build.info";
    public static final String CONFIG_RULES = "sluice.config.rules";

    public static final String KIND_CLIENT = "client";
    public static final String KIND_TUNNEL = "tunnel";
    public static final String KIND_FORWARD = "forward";

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

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final Map<Action, CounterFamily> decisions = new EnumMap<>(Action.class);
    private final Map<String, CounterFamily> httpRequests;
    private final CounterFamily errors;
    private final Counter bytesUpstream;
    private final Counter bytesDownstream;
    private final Counter accessLogDropped;
    private final Timer upstreamConnect;
    private final AtomicInteger configRules = new AtomicInteger();

    /** One connection kind: its live count and its running total. */
    private record Kind(AtomicLong active, Counter total) {
    }

    private Metrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        for (String kind : new String[] {KIND_CLIENT, KIND_TUNNEL, KIND_FORWARD}) {
            kinds.put(kind, registerKind(kind));
        }
        for (Action action : Action.values()) {
            decisions.put(action, new CounterFamily(registry, DECISIONS, "Policy decisions by action and deciding rule",
                    Tags.of("action", action.yamlName()), "rule", MAX_RULES));
        }
        Map<String, CounterFamily> byMethod = new HashMap<>();
        for (String method : KNOWN_METHODS) {
            byMethod.put(method, httpRequestFamily(method));
        }
        byMethod.put(CounterFamily.OVERFLOW, httpRequestFamily(CounterFamily.OVERFLOW));
        httpRequests = Map.copyOf(byMethod);
        errors = new CounterFamily(registry, ERRORS, "Failures by reason", Tags.empty(), "reason", MAX_REASONS);
        bytesUpstream = bytes("upstream");
        bytesDownstream = bytes("downstream");
        accessLogDropped = Counter.builder(ACCESS_LOG_DROPPED)
                .description("Access-log lines lost: the queue was full (output too slow) or the write failed")
                .register(registry);
        upstreamConnect = Timer.builder(UPSTREAM_CONNECT)
                .description("Time to establish the upstream TCP connection")
                .serviceLevelObjectives(CONNECT_BUCKETS)
                .register(registry);
        Gauge.builder(BUILD_INFO, () -> 1).description("Always 1; the version tag names the running build")
                .tag("version", version()).register(registry);
        Gauge.builder(CONFIG_RULES, configRules, AtomicInteger::get)
                .description("Rules in the active configuration").register(registry);

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

    public static Metrics create() {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
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

    public void httpRequest(String method, int status) {
        CounterFamily family = httpRequests.get(method);
        if (family == null) {
            family = httpRequests.get(CounterFamily.OVERFLOW);
        }
        family.counter(status >= 100 && status <= 999 ? Integer.toString(status) : CounterFamily.OVERFLOW).increment();
    }

    /** Called by the access log when its queue is full and a line is lost. */
    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /** Records the size of the configuration now in force. */
    public void configRules(int count) {
        configRules.set(count);
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

    private CounterFamily httpRequestFamily(String method) {
        return new CounterFamily(registry, HTTP_REQUESTS, "HTTP responses to clients by request method and status",
                Tags.of("method", method), "status", MAX_STATUSES);
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
