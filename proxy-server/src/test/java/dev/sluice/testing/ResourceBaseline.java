package dev.sluice.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Open file descriptors of this JVM (entries of {@code /proc/self/fd}) and the direct memory Netty's default
 * allocator holds, recorded before a fault so a test can assert both come back after it. The test JVM hosts Sluice,
 * its origins and its clients, so the counts include theirs: a fault test closes its own sockets before asserting.
 * Closes are asynchronous (Sluice closes a peer on its event loop, a JDK socket's descriptor is freed when the
 * kernel lets go), so {@link #assertReturned()} polls, within a small tolerance for what other threads of the JVM
 * (a JIT log, a class file) may open meanwhile.
 */
public final class ResourceBaseline {
    /** Descriptors beyond the baseline still accepted: a stray file a JVM thread may hold open for a moment. */
    public static final long FD_TOLERANCE = 3;
    /**
     * Direct memory beyond the baseline still accepted. Netty's adaptive allocator keeps the chunks it carved, per
     * event loop, for reuse and reports them as used: after the first bumped HTTP/2 download on a loop about 5 MiB
     * stay (measured: the total levels off near 15 MiB once every loop has had one, so it is retention, not a leak).
     * A leaked transfer would show as tens of MiB; a leaked buffer fails the class through the leak detector anyway.
     */
    public static final long DIRECT_TOLERANCE = 8L * 1024 * 1024;
    private static final Path FDS = Path.of("/proc/self/fd");

    private final long fds;
    private final long direct;

    private ResourceBaseline(long fds, long direct) {
        this.fds = fds;
        this.direct = direct;
    }

    public static ResourceBaseline record() {
        return new ResourceBaseline(openFds(), directMemory());
    }

    /** Entries of {@code /proc/self/fd}, less the one the listing itself opens. */
    public static long openFds() {
        try (Stream<Path> entries = Files.list(FDS)) {
            return entries.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Direct memory Netty's default allocator has taken from the system, in bytes. */
    public static long directMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    public long fds() {
        return fds;
    }

    public long direct() {
        return direct;
    }

    /** Waits, up to {@link SluiceFixture#PATIENCE}, until descriptors and direct memory are back within tolerance. */
    public void assertReturned() {
        long deadline = System.nanoTime() + SluiceFixture.PATIENCE.toNanos();
        long fdsNow;
        long directNow;
        do {
            fdsNow = openFds();
            directNow = directMemory();
            if (fdsNow <= fds + FD_TOLERANCE && directNow <= direct + DIRECT_TOLERANCE) {
                return;
            }
            SluiceFixture.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("resources did not return to the baseline within " + SluiceFixture.PATIENCE
                + ": open fds " + fds + " -> " + fdsNow + " (tolerance " + FD_TOLERANCE + "), Netty direct memory "
                + direct + " -> " + directNow + " bytes (tolerance " + DIRECT_TOLERANCE + ")\n" + fdListing());
    }

    private static String fdListing() {
        StringBuilder listing = new StringBuilder("open fds:\n");
        try (Stream<Path> entries = Files.list(FDS)) {
            entries.forEach(fd -> {
                try {
                    listing.append("  ").append(fd.getFileName()).append(" -> ")
                            .append(Files.readSymbolicLink(fd)).append('\n');
                } catch (IOException gone) {
                    // closed while listing
                }
            });
        } catch (IOException e) {
            listing.append("  (cannot list: ").append(e).append(")\n");
        }
        return listing.toString();
    }
}
