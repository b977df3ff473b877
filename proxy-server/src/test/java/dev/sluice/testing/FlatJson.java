package dev.sluice.testing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a flat JSON object into field to text, number or boolean (nulls left out; anything nested as a marker). */
final class FlatJson {
    private FlatJson() {
    }

    /** @param parser positioned on the object's {@code START_OBJECT}; left on its {@code END_OBJECT} */
    static Map<String, Object> object(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("not an object at " + parser.currentLocation());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (value) {
                case VALUE_STRING -> fields.put(name, parser.getText());
                case VALUE_NUMBER_INT -> fields.put(name, parser.getLongValue());
                case VALUE_NUMBER_FLOAT -> fields.put(name, parser.getDoubleValue());
                case VALUE_TRUE, VALUE_FALSE -> fields.put(name, parser.getBooleanValue());
                case VALUE_NULL -> {
                }
                default -> {
                    fields.put(name, "(nested)");
                    parser.skipChildren();
                }
            }
        }
        return fields;
    }
}
