package dev.sluice.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.passthrough.PassthroughEntry;
import dev.sluice.passthrough.PassthroughListing;
import dev.sluice.passthrough.PassthroughReason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The admin listener's {@code /passthrough} bodies: {@code {"entries": [...], "truncated": false, "total": {"mtls": 1,
 * "pinned": 2}}} for a listing, the same with {@code "removed"} for a clear; {@code truncated} says whether entries
 * were left out, {@code total} how many of each kind there were in all. An mTLS entry names {@code host} and {@code port}, a pinned one
 * {@code client} (the network), {@code sni} and {@code port}; both carry {@code kind}, {@code count}, {@code splicing},
 * {@code first}, {@code last}, {@code expires} (ISO-8601, UTC) and {@code hits}.
 */
final class PassthroughJson {
    static final String CONTENT_TYPE = "application/json";
    private static final JsonFactory JSON = new JsonFactory();

    private PassthroughJson() {
    }

    /** @param field {@code entries} or {@code removed} */
    static String of(String field, PassthroughListing listing) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeArrayFieldStart(field);
            for (PassthroughEntry entry : listing.entries()) {
                write(json, entry);
            }
            json.writeEndArray();
            json.writeBooleanField("truncated", listing.truncated());
            json.writeObjectFieldStart("total");
            json.writeNumberField(PassthroughReason.MTLS.label(), listing.mtls());
            json.writeNumberField(PassthroughReason.PINNED.label(), listing.pinned());
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.append('\n').toString();
    }

    private static void write(JsonGenerator json, PassthroughEntry entry) throws IOException {
        json.writeStartObject();
        json.writeStringField("kind", entry.reason().label());
        if (entry.reason() == PassthroughReason.MTLS) {
            json.writeStringField("host", entry.host());
            json.writeNumberField("port", entry.port());
        } else {
            json.writeStringField("client", entry.client());
            json.writeStringField("sni", entry.host());
            json.writeNumberField("port", entry.port());
        }
        json.writeNumberField("count", entry.count());
        json.writeBooleanField("splicing", entry.splicing());
        json.writeStringField("first", entry.first().toString());
        json.writeStringField("last", entry.last().toString());
        json.writeStringField("expires", entry.expires().toString());
        json.writeNumberField("hits", entry.hits());
        json.writeEndObject();
    }
}
