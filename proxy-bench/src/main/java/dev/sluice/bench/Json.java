package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** One JSON object per report, for {@code --json}. */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes the fields of one object. */
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private Json() {
    }

    static String object(Fields fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Three decimals: enough for ratios and MiB/s, and stable in tests. */
    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
