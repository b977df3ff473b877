package dev.sluice.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON access-log line, as a flat map of field to text, number or boolean. */
public record AccessLogLine(String raw, Map<String, Object> fields) {
    private static final JsonFactory JSON = new JsonFactory();

    public static AccessLogLine parse(String raw) {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(raw)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not an object: " + raw);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (value) {
                    case VALUE_STRING -> fields.put(name, parser.getText());
                    case VALUE_NUMBER_INT -> fields.put(name, parser.getLongValue());
                    case VALUE_NUMBER_FLOAT -> fields.put(name, parser.getDoubleValue());
                    case VALUE_TRUE, VALUE_FALSE -> fields.put(name, parser.getBooleanValue());
                    case VALUE_NULL -> fields.put(name, null);
                    default -> {
                        fields.put(name, "(nested)");
                        parser.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bad access-log line: " + raw, e);
        }
        return new AccessLogLine(raw, Map.copyOf(withoutNulls(fields)));
    }

    public String text(String field) {
        Object value = fields.get(field);
        return value == null ? null : value.toString();
    }

    public long number(String field) {
        Object value = fields.get(field);
        return value instanceof Number n ? n.longValue() : -1;
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> fields) {
        fields.values().removeIf(java.util.Objects::isNull);
        return fields;
    }
}
