package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sluice's JSON access log counted: its lines, and the lines whose {@code error} field names each reason.
 *
 * @param lines  every line
 * @param errors lines by their {@code error} value; lines without one are not in it
 */
record AccessLogTally(long lines, Map<String, Long> errors) {
    private static final JsonFactory JSON = new JsonFactory();

    AccessLogTally {
        errors = Map.copyOf(errors);
    }

    /** Reads the lines written so far; a line Sluice's writer thread has not ended yet is left out. */
    static AccessLogTally read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        long lines = 0;
        Map<String, Long> errors = new TreeMap<>();
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (line.isEmpty()) continue;
            lines++;
            String error = error(line);
            if (error != null) errors.merge(error, 1L, Long::sum);
        }
        return new AccessLogTally(lines, errors);
    }

    /**
     * Reads the file until two reads {@code pause} apart agree, at most until {@code patience} has passed: Sluice
     * writes its lines off the event loops, so the last ones land a little after the connections closed.
     */
    static AccessLogTally settled(Path file, Duration pause, Duration patience) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        AccessLogTally last = read(file);
        while (System.nanoTime() < deadline) {
            Thread.sleep(pause.toMillis());
            AccessLogTally now = read(file);
            if (now.equals(last)) return now;
            last = now;
        }
        return last;
    }

    /** The lines and errors logged since {@code earlier} was read from the same file. */
    AccessLogTally since(AccessLogTally earlier) {
        Map<String, Long> grown = new TreeMap<>();
        errors.forEach((reason, count) -> {
            long more = count - earlier.errors.getOrDefault(reason, 0L);
            if (more > 0) grown.put(reason, more);
        });
        return new AccessLogTally(lines - earlier.lines, grown);
    }

    long errorLines() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The top-level {@code error} string of one JSON line, or null. */
    private static String error(String line) throws IOException {
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a JSON object: " + line);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("error") && value == JsonToken.VALUE_STRING) return parser.getText();
                parser.skipChildren();
            }
            return null;
        }
    }
}
