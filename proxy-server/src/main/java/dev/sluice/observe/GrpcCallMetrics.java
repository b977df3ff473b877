package dev.sluice.observe;

import dev.sluice.grpc.GrpcCallRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code sluice_grpc_*} meters of the per-call gRPC view. Service and method names come from clients, so the
 * labels are bounded, and only a method the origin knows earns one: a (service, method) pair gets labels of its own
 * when a call to it ends with the origin's own canonical status (0-16) other than {@code UNIMPLEMENTED}, while fewer
 * than {@code maxMethodLabels} pairs have one. Until then, and for good once the bound is reached, its calls count
 * under {@code service="other", method="other"}; so do calls without a status, with {@code UNIMPLEMENTED}, or answered
 * by Sluice itself, unless their pair already has a label. Made-up names, which an origin answers
 * {@code UNIMPLEMENTED}, thus cannot use up the labels of real methods. A call whose {@code :path} names no service
 * and method counts under {@code service="unnamed", method="unnamed"}; a name longer than {@link #MAX_NAME_CHARS}
 * never gets a label of its own. Nothing is registered before the first call, so with the view off no family
 * appears. Thread-safe: calls end on every event loop.
 */
final class GrpcCallMetrics {
    static final String OTHER = CounterFamily.OVERFLOW;
    static final String UNNAMED = "unnamed";
    /** Real method names are short; a long one is more likely an attempt to bloat every scrape. */
    static final int MAX_NAME_CHARS = 200;
    /** Calls from a sub-millisecond loopback echo to a minutes-long stream; longer ones land in +Inf. */
    static final Duration[] CALL_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300)};
    /** The 17 canonical codes, NONE and OTHER. */
    private static final int MAX_CODES = 19;
    /** What an origin answers for a method it does not have, so made-up names too. */
    private static final int UNIMPLEMENTED = 12;
    private static final int MAX_CANONICAL_CODE = 16;

    private static final MethodKey OTHER_KEY = new MethodKey(OTHER, OTHER);
    private static final MethodKey UNNAMED_KEY = new MethodKey(UNNAMED, UNNAMED);

    private final MeterRegistry registry;
    private final int maxMethodLabels;
    private final ConcurrentMap<MethodKey, MethodMeters> methods = new ConcurrentHashMap<>();
    private final CounterFamily messages;
    /** Pairs admitted under their own labels; only grows, under the lock of {@link #methods}. */
    private int labelled;
    /** Set once {@link #labelled} reached the bound, so later new pairs skip the lock. */
    private volatile boolean full;

    private record MethodKey(String service, String method) {
    }

    /** One label pair's call counts by code and its duration histogram. */
    private record MethodMeters(CounterFamily calls, Timer duration) {
    }

    GrpcCallMetrics(MeterRegistry registry, int maxMethodLabels) {
        this.registry = registry;
        this.maxMethodLabels = maxMethodLabels;
        this.messages = new CounterFamily(registry, Metrics.GRPC_MESSAGES,
                "gRPC messages (length-prefixed) by direction", Tags.empty(), "direction", 2);
    }

    /** @param answeredBySluice whether the status is Sluice's own (a call rule's denial, an UNAVAILABLE answer) */
    void call(GrpcCallRecord call, long nanos, boolean answeredBySluice) {
        MethodMeters meters = meters(call.service(), call.method(), !answeredBySluice && knownToOrigin(call.code()));
        meters.calls().counter(call.statusName()).increment();
        meters.duration().record(nanos, TimeUnit.NANOSECONDS);
        messages.counter("request").increment(call.requestMessages());
        messages.counter("response").increment(call.responseMessages());
    }

    /** The origin answered with a real status, and not the one that says it has no such method. */
    private static boolean knownToOrigin(int code) {
        return code >= 0 && code <= MAX_CANONICAL_CODE && code != UNIMPLEMENTED;
    }

    /** @param mayLabel whether this call may give a pair without labels its own */
    private MethodMeters meters(String service, String method, boolean mayLabel) {
        if (service == null || method == null) {
            return methods.computeIfAbsent(UNNAMED_KEY, this::register);
        }
        MethodKey key = new MethodKey(service, method);
        MethodMeters meters = methods.get(key);
        if (meters != null) {
            return meters;
        }
        if (!mayLabel || full || service.length() > MAX_NAME_CHARS || method.length() > MAX_NAME_CHARS) {
            return other();
        }
        synchronized (methods) {
            meters = methods.get(key);
            if (meters != null) {
                return meters;
            }
            if (labelled >= maxMethodLabels) {
                full = true;
                return other();
            }
            labelled++;
            meters = register(key);
            methods.put(key, meters);
            return meters;
        }
    }

    private MethodMeters other() {
        return methods.computeIfAbsent(OTHER_KEY, this::register);
    }

    private MethodMeters register(MethodKey key) {
        Tags tags = Tags.of("service", key.service(), "method", key.method());
        CounterFamily calls = new CounterFamily(registry, Metrics.GRPC_CALLS,
                "gRPC calls inside bumps by service, method and status code", tags, "code", MAX_CODES);
        Timer duration = Timer.builder(Metrics.GRPC_CALL_DURATION)
                .description("gRPC call duration, from the request head to the end of the call")
                .tags(tags).serviceLevelObjectives(CALL_BUCKETS).register(registry);
        return new MethodMeters(calls, duration);
    }
}
