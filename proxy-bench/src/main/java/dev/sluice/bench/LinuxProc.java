package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Figures about another process read from Linux's {@code /proc/<pid>/}: resident memory, threads, open descriptors
 * and the open-files limit.
 */
final class LinuxProc {
    private LinuxProc() {
    }

    /** The process's resident set in bytes, from the {@code VmRSS:} line of {@code /proc/<pid>/status}. */
    static long vmRssBytes(long pid) throws IOException {
        return vmRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** Parses {@code VmRSS:    123456 kB}, the only unit the kernel prints there. */
    static long vmRssBytes(String status) throws IOException {
        String[] fields = statusField(status, "VmRSS").split("\\s+");
        if (fields.length != 2 || !fields[1].equals("kB")) throw new IOException("unexpected VmRSS field: " + fields[0]);
        return Long.parseLong(fields[0]) * 1024;
    }

    /** The process's thread count, from the {@code Threads:} line of {@code /proc/<pid>/status}. */
    static int threads(long pid) throws IOException {
        return threads(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    static int threads(String status) throws IOException {
        return Integer.parseInt(statusField(status, "Threads"));
    }

    /** Descriptors the process holds open now: the entries of {@code /proc/<pid>/fd}. */
    static int openFiles(long pid) throws IOException {
        try (var entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) entries.count();
        }
    }

    /** The value of {@code name:} in a {@code /proc/<pid>/status} text, trimmed. */
    private static String statusField(String status, String name) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) return line.substring(name.length() + 1).trim();
        }
        throw new IOException("no " + name + " line (is it a kernel thread or a zombie?)");
    }

    /** The soft {@code Max open files} limit of {@code pid}, empty if unreadable or unlimited. */
    static OptionalLong openFilesLimit(long pid) {
        try {
            return openFilesLimit(Files.readString(Path.of("/proc", Long.toString(pid), "limits")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Parses {@code Max open files   20000   20000   files}: the first figure is the soft limit. */
    static OptionalLong openFilesLimit(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.chars().allMatch(Character::isDigit) && !soft.isEmpty()
                        ? OptionalLong.of(Long.parseLong(soft)) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
