package dev.sluice.bench;

import java.util.Locale;
import java.util.OptionalLong;

/** What idle tunnels cost Sluice: each memory figure before and after, and the difference per tunnel. */
record IdleReport(int tunnels, MemorySample before, MemorySample after, boolean collected, long targetBytesPerTunnel) {

    /** {@code (after - before) / tunnels} in bytes. */
    static double perTunnel(long before, long after, int tunnels) {
        return (double) (after - before) / tunnels;
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "tunnels          %d idle CONNECT tunnels (%d sockets in Sluice)%n",
                tunnels, 2L * tunnels));
        out.append(String.format(Locale.ROOT, "full GC          %s%n",
                collected ? "forced in Sluice (jcmd GC.run) before each sample" : "not forced (no jcmd or attach failed)"));
        line(out, "RSS", before.rssBytes(), after.rssBytes());
        line(out, "Netty direct", before.nettyDirectBytes(), after.nettyDirectBytes());
        line(out, "Java heap used", before.heapUsedBytes(), after.heapUsedBytes());
        double rssPerTunnel = perTunnel(before.rssBytes(), after.rssBytes(), tunnels);
        out.append(String.format(Locale.ROOT, "target           RSS < %d KB per tunnel: %s",
                targetBytesPerTunnel / 1024, rssPerTunnel < targetBytesPerTunnel ? "met" : "NOT met"));
        return out.toString();
    }

    private void line(StringBuilder out, String name, OptionalLong before, OptionalLong after) {
        if (before.isPresent() && after.isPresent()) {
            line(out, name, before.getAsLong(), after.getAsLong());
        } else {
            out.append(String.format(Locale.ROOT, "%-16s not in /metrics%n", name));
        }
    }

    private void line(StringBuilder out, String name, long before, long after) {
        out.append(String.format(Locale.ROOT, "%-16s before %9.1f MiB   after %9.1f MiB   per tunnel %7.2f KB%n",
                name, before / 1048576.0, after / 1048576.0, perTunnel(before, after, tunnels) / 1024));
    }
}
