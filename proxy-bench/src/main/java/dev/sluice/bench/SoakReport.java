package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

/**
 * The soak's figures and verdicts: Sluice's resources before the load (baseline), at their highest during it (peak)
 * and once it is over and every client has closed (after); what the clients counted against what Sluice counted; and a
 * PASS or FAIL line per check. Every baseline and after sample follows a full collection in Sluice's JVM.
 *
 * <p>Tolerances: descriptors must come back to within {@link #FILE_TOLERANCE} (a leak of even 1% of the soak's
 * connections is far more); direct memory and the heap after a collection within a few MiB, since Netty's adaptive
 * allocator keeps some chunks for reuse and caches (leaves, method labels) keep their entries; threads within
 * {@link #THREAD_TOLERANCE} (pools that start threads lazily). The resident set is only reported: a JVM keeps most
 * of the heap and arenas it grew, so it does not come back down whether or not something leaks.
 */
record SoakReport(SoakSample baseline, SoakSample peak, SoakSample after, ClientCounts clients, SluiceCounts sluice,
                  AccessLogTally accessLog, long clientErrors, String clientErrorLines, long leakReports) {
    static final int FILE_TOLERANCE = 8;
    static final int THREAD_TOLERANCE = 4;
    static final long DIRECT_TOLERANCE_BYTES = 8L << 20;
    static final long HEAP_TOLERANCE_BYTES = 16L << 20;

    /** One verdict. */
    record Check(boolean passed, String line) {
    }

    boolean passed() {
        return checks().stream().allMatch(Check::passed);
    }

    List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        checks.add(check(clientErrors == 0, "no unexpected client errors (%d)", clientErrors));
        checks.add(check(leakReports == 0, "no Netty LEAK report in Sluice's output (%d)", leakReports));
        checks.add(check(Math.abs(after.openFiles() - baseline.openFiles()) <= FILE_TOLERANCE,
                "open files back to baseline: %d after, %d before (tolerance %d)", after.openFiles(),
                baseline.openFiles(), FILE_TOLERANCE));
        checks.add(check(after.threads() <= baseline.threads() + THREAD_TOLERANCE,
                "threads back to baseline: %d after, %d before (tolerance +%d)", after.threads(), baseline.threads(),
                THREAD_TOLERANCE));
        checks.add(backDown("Netty direct memory", baseline.memory().nettyDirectBytes(),
                after.memory().nettyDirectBytes(), DIRECT_TOLERANCE_BYTES));
        checks.add(backDown("JVM direct buffers", baseline.jvmDirectBytes(), after.jvmDirectBytes(),
                DIRECT_TOLERANCE_BYTES));
        checks.add(backDown("heap used after a collection", baseline.memory().heapUsedBytes(),
                after.memory().heapUsedBytes(), HEAP_TOLERANCE_BYTES));
        SluiceCounts expected = clients.expectedOfSluice();
        checks.add(same("connections accepted", expected, SluiceCounts::clientConnections));
        checks.add(same("tunnels spliced", expected, SluiceCounts::tunnels));
        checks.add(same("connections bumped", expected, SluiceCounts::bumps));
        checks.add(same("gRPC calls", expected, SluiceCounts::grpcCalls));
        checks.add(same("gRPC calls OK", expected, SluiceCounts::grpcOkCalls));
        checks.add(same("gRPC request messages", expected, SluiceCounts::requestMessages));
        checks.add(same("gRPC response messages", expected, SluiceCounts::responseMessages));
        checks.add(check(sluice.bytesUpstream() >= expected.bytesUpstream(),
                "Sluice relayed at least the spliced bytes the clients sent: %d >= %d", sluice.bytesUpstream(),
                expected.bytesUpstream()));
        checks.add(check(sluice.bytesDownstream() >= expected.bytesDownstream(),
                "Sluice relayed at least the spliced bytes the clients received: %d >= %d", sluice.bytesDownstream(),
                expected.bytesDownstream()));
        checks.add(check(sluice.activeConnections() == 0 && sluice.activeH2Streams() == 0,
                "no connection or h2 stream active after: %d connections, %d streams", sluice.activeConnections(),
                sluice.activeH2Streams()));
        checks.add(check(accessLog.lines() + sluice.accessLogDropped() == clients.expectedAccessLogLines(),
                "an access-log line per connection and per call: %d written + %d dropped, the clients expect %d",
                accessLog.lines(), sluice.accessLogDropped(), clients.expectedAccessLogLines()));
        checks.add(check(accessLog.errorLines() == 0, "no access-log line with an error: %s", accessLog.errors()));
        checks.add(check(sluice.refused() == 0, "no connection refused by a limit (%d)", sluice.refused()));
        checks.add(check(sluice.errors() == 0, "no error counted by Sluice (sluice_errors_total grew by %d)",
                sluice.errors()));
        return checks;
    }

    String text() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%-30s %12s %12s %12s%n", "Sluice process", "baseline", "peak", "after"));
        row(text, "open files", s -> s.openFiles(), false);
        row(text, "threads", s -> s.threads(), false);
        row(text, "RSS", s -> s.memory().rssBytes(), true);
        row(text, "heap used", s -> s.memory().heapUsedBytes().orElse(-1), true);
        row(text, "Netty direct memory", s -> s.memory().nettyDirectBytes().orElse(-1), true);
        row(text, "JVM direct buffers", s -> s.jvmDirectBytes().orElse(-1), true);
        text.append(String.format(Locale.ROOT, "%nload: %d tunnels (%d echoes, %d bytes), %d gRPC streams on %d channels "
                        + "(%d messages, %d echoed), %d new splices, %d new bumped calls (%d ticks skipped: too many "
                        + "still busy)%n%n", clients.tunnels(), clients.tunnelEchoes(), clients.tunnelBytes(),
                clients.streams(), clients.grpcChannels(), clients.streamMessages(), clients.streamEchoes(),
                clients.churnSplices(), clients.churnCalls(), clients.churnSkipped()));
        SluiceCounts expected = clients.expectedOfSluice();
        text.append(String.format(Locale.ROOT, "%-30s %12s %12s%n", "counted", "clients", "Sluice"));
        count(text, "connections accepted", expected, SluiceCounts::clientConnections);
        count(text, "tunnels spliced", expected, SluiceCounts::tunnels);
        count(text, "connections bumped", expected, SluiceCounts::bumps);
        count(text, "gRPC calls", expected, SluiceCounts::grpcCalls);
        count(text, "gRPC calls OK", expected, SluiceCounts::grpcOkCalls);
        count(text, "gRPC request messages", expected, SluiceCounts::requestMessages);
        count(text, "gRPC response messages", expected, SluiceCounts::responseMessages);
        count(text, "bytes upstream (spliced, min)", expected, SluiceCounts::bytesUpstream);
        count(text, "bytes downstream (spliced, min)", expected, SluiceCounts::bytesDownstream);
        text.append(String.format(Locale.ROOT, "%-30s %12d %12d%n", "access-log lines (+ dropped)",
                clients.expectedAccessLogLines(), accessLog.lines() + sluice.accessLogDropped()));
        text.append('\n');
        if (clientErrors > 0) text.append("client errors by kind:\n").append(clientErrorLines).append('\n');
        for (Check check : checks()) text.append(check.passed() ? "PASS  " : "FAIL  ").append(check.line()).append('\n');
        text.append(String.format(Locale.ROOT, "INFO  RSS %s after, %s before, %s at the peak: reported, not checked "
                + "(a JVM keeps the heap it grew)%n", mib(after.memory().rssBytes()), mib(baseline.memory().rssBytes()),
                mib(peak.memory().rssBytes())));
        text.append(passed() ? "soak PASSED" : "soak FAILED");
        return text.toString();
    }

    private void row(StringBuilder text, String name, ToLongFunction<SoakSample> figure, boolean bytes) {
        text.append(String.format(Locale.ROOT, "%-30s %12s %12s %12s%n", name, format(figure.applyAsLong(baseline), bytes),
                format(figure.applyAsLong(peak), bytes), format(figure.applyAsLong(after), bytes)));
    }

    private static String format(long value, boolean bytes) {
        if (value < 0) return "n/a";
        return bytes ? mib(value) : Long.toString(value);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private void count(StringBuilder text, String name, SluiceCounts expected, ToLongFunction<SluiceCounts> figure) {
        text.append(String.format(Locale.ROOT, "%-30s %12d %12d%n", name, figure.applyAsLong(expected),
                figure.applyAsLong(sluice)));
    }

    private Check same(String name, SluiceCounts expected, ToLongFunction<SluiceCounts> figure) {
        long clientsCounted = figure.applyAsLong(expected);
        long sluiceCounted = figure.applyAsLong(sluice);
        return check(clientsCounted == sluiceCounted, "%s: Sluice counted %d, the clients %d", name, sluiceCounted,
                clientsCounted);
    }

    private static Check backDown(String name, OptionalLong before, OptionalLong after, long tolerance) {
        if (before.isEmpty() || after.isEmpty()) return new Check(false, name + ": not in Sluice's metrics");
        return check(after.getAsLong() <= before.getAsLong() + tolerance, "%s back to baseline: %s after, %s before "
                + "(tolerance +%s)", name, mib(after.getAsLong()), mib(before.getAsLong()), mib(tolerance));
    }

    private static Check check(boolean passed, String format, Object... args) {
        return new Check(passed, String.format(Locale.ROOT, format, args));
    }
}
