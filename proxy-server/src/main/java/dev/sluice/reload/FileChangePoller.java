package dev.sluice.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Notices that watched files changed by hashing their contents on every {@link #poll}. Contents, not
 * {@code WatchService} events or modification times: Kubernetes updates a mounted ConfigMap or Secret by swapping a
 * {@code ..data} symlink in the directory, which no event on the file's own name reports, and a copy may keep the
 * old modification time; reading through the path follows whatever it points to now.
 *
 * <p>A change is reported once two polls in a row see the same new contents, so a file caught half written is not
 * reloaded until its writer is done (and if a slow writer is caught twice alike, the reload fails validation and
 * the next change is reported again). Contents once reported are the new baseline whether their reload worked or
 * not: a broken file is reported once, never retried in a loop. Not thread-safe: polled from one thread.
 */
public final class FileChangePoller {
    private final Supplier<List<Path>> files;
    private final Runnable onChange;
    private Map<Path, String> baseline;
    /** Contents seen once, differing from the baseline: reported if the next poll sees them again. */
    private Map<Path, String> pending;

    /**
     * @param files    what to watch; asked again after every change, since a reload may name other files
     * @param onChange run on the polling thread when the files settled on new contents
     */
    public FileChangePoller(Supplier<List<Path>> files, Runnable onChange) {
        this.files = files;
        this.onChange = onChange;
        this.baseline = snapshot();
    }

    /** Hashes the watched files and reports a settled change. */
    public void poll() {
        Map<Path, String> now = snapshot();
        if (now.equals(baseline)) {
            pending = null;
            return;
        }
        if (!now.equals(pending)) {
            pending = now;
            return;
        }
        onChange.run();
        rebaseline();
    }

    /** Takes the files as they are now as unchanged: after a reload that another trigger asked for. */
    public void rebaseline() {
        pending = null;
        baseline = snapshot();
    }

    private Map<Path, String> snapshot() {
        Map<Path, String> hashes = new LinkedHashMap<>();
        for (Path file : files.get()) {
            hashes.put(file, hash(file));
        }
        return hashes;
    }

    /** A SHA-256 of the contents, or a word saying why there are none (which is a state to compare too). */
    private static String hash(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            return "unreadable: " + e;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
