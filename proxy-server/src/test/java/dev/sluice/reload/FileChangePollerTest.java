package dev.sluice.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content-hash poller behind {@code reload.watch}: a change is reported once, after it settled. */
class FileChangePollerTest {
    @TempDir
    Path dir;
    private Path config;
    private final List<Path> watched = new ArrayList<>();
    private final AtomicInteger reported = new AtomicInteger();
    private FileChangePoller poller;

    @BeforeEach
    void watchOneFile() throws IOException {
        config = dir.resolve("sluice.yaml");
        Files.writeString(config, "default: splice\n");
        watched.add(config);
        poller = new FileChangePoller(() -> List.copyOf(watched), reported::incrementAndGet);
    }

    @Test
    void unchangedFilesAreNeverReported() {
        pollTimes(5);
        assertThat(reported).hasValue(0);
    }

    @Test
    void aChangeIsReportedOnceTwoPollsInARowSawTheSameNewContents() throws IOException {
        Files.writeString(config, "default: deny\n");

        poller.poll();
        assertThat(reported).as("seen once: the writer may not be done").hasValue(0);
        poller.poll();
        assertThat(reported).hasValue(1);
    }

    @Test
    void aFileCaughtHalfWrittenIsReportedOnlyWhenItsWriterIsDone() throws IOException {
        Files.writeString(config, "rules:\n  - name: half");
        poller.poll();
        Files.writeString(config, "rules:\n  - name: whole\n    match: {host: a.test}\n    action: deny\n");
        poller.poll();
        assertThat(reported).hasValue(0);

        poller.poll();
        assertThat(reported).hasValue(1);
    }

    @Test
    void reportedContentsAreNotReportedAgainEvenIfTheirReloadFailed() throws IOException {
        Files.writeString(config, "not: [valid\n");
        pollTimes(10);
        assertThat(reported).as("reported once, never retried in a loop").hasValue(1);

        Files.writeString(config, "default: deny\n");
        pollTimes(2);
        assertThat(reported).hasValue(2);
    }

    @Test
    void aFileThatDisappearsOrAppearsIsAChange() throws IOException {
        Files.delete(config);
        pollTimes(2);
        assertThat(reported).hasValue(1);

        Files.writeString(config, "default: splice\n");
        pollTimes(2);
        assertThat(reported).hasValue(2);
    }

    @Test
    void aKubernetesStyleSymlinkSwapIsSeenThroughTheLink() throws IOException {
        // A mounted ConfigMap: sluice.yaml -> ..data/sluice.yaml, ..data -> ..v1; an update makes ..v2 and swaps
        // ..data by a rename, so the file's own path never changes.
        Path mount = Files.createDirectory(dir.resolve("mount"));
        Files.createDirectory(mount.resolve("..v1"));
        Files.writeString(mount.resolve("..v1/sluice.yaml"), "default: splice\n");
        Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
        Path linked = Files.createSymbolicLink(mount.resolve("sluice.yaml"), Path.of("..data/sluice.yaml"));
        watched.set(0, linked);
        poller.rebaseline();

        Files.createDirectory(mount.resolve("..v2"));
        Files.writeString(mount.resolve("..v2/sluice.yaml"), "default: deny\n");
        Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of("..v2"));
        Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        pollTimes(2);

        assertThat(reported).hasValue(1);
    }

    @Test
    void filesNamedAfterAChangeAreWatchedFromThen() throws IOException {
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, "old CA");
        Files.writeString(config, "tls: {ca: {cert: ca.crt}}\n");
        watched.add(ca); // what the reloaded config names
        pollTimes(2);
        assertThat(reported).hasValue(1);

        Files.writeString(ca, "new CA");
        pollTimes(2);
        assertThat(reported).hasValue(2);
    }

    @Test
    void aRebaselineTakesTheFilesAsTheyAreNow() throws IOException {
        Files.writeString(config, "default: deny\n");
        poller.rebaseline(); // a SIGHUP reload just read this
        pollTimes(3);
        assertThat(reported).hasValue(0);
    }

    private void pollTimes(int times) {
        for (int i = 0; i < times; i++) {
            poller.poll();
        }
    }
}
