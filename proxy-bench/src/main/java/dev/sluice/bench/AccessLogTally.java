package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static AccessLogTally read(Path file) throws IOException {
        long lines = 0;
        Map<String, Long> errors = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                String error = error(line);
                if (error != null) errors.merge(error, 1L, Long::sum);
            }
        }
        return new AccessLogTally(lines, errors);
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
