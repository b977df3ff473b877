package dev.sluice.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** One JSON access-log line, as a flat map of field to text, number or boolean. */
public record AccessLogLine(String raw, Map<String, Object> fields) {
    private static final JsonFactory JSON = new JsonFactory();

    public static AccessLogLine parse(String raw) {
        try (JsonParser parser = JSON.createParser(raw)) {
            parser.nextToken();
            return new AccessLogLine(raw, Map.copyOf(FlatJson.object(parser)));
        } catch (IOException e) {
            throw new UncheckedIOException("bad access-log line: " + raw, e);
        }
    }

    public String text(String field) {
        Object value = fields.get(field);
        return value == null ? null : value.toString();
    }

    public long number(String field) {
        Object value = fields.get(field);
        return value instanceof Number n ? n.longValue() : -1;
    }
}
