package dev.sluice.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin listener's {@code /passthrough} over real HTTP: {@code GET} lists what automatic passthrough remembers,
 * {@code DELETE} clears it; each entry comes back as a flat map of field to text, number or boolean, and so do the
 * fields beside the entries.
 */
public final class PassthroughAdmin {
    private static final JsonFactory JSON = new JsonFactory();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(SluiceFixture.PATIENCE).build();

    private PassthroughAdmin() {
    }

    /** One answer of the admin listener. */
    public record Answer(int status, String contentType, String body) {
        /** The entries under {@code field} ({@code entries} or {@code removed}) of a JSON body. */
        public List<Map<String, Object>> entries(String field) {
            List<Map<String, Object>> entries = new ArrayList<>();
            try (JsonParser parser = JSON.createParser(body)) {
                expect(parser.nextToken(), JsonToken.START_OBJECT);
                expect(parser.nextToken(), JsonToken.FIELD_NAME);
                if (!field.equals(parser.currentName())) {
                    throw new IllegalArgumentException("expected " + field + " in " + body);
                }
                expect(parser.nextToken(), JsonToken.START_ARRAY);
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    entries.add(Map.copyOf(FlatJson.object(parser)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("not a passthrough listing: " + body, e);
            }
            return entries;
        }

        /** The fields beside the listing: {@code truncated}, {@code total.mtls} and {@code total.pinned}. */
        public Map<String, Object> summary() {
            Map<String, Object> summary = new LinkedHashMap<>();
            try (JsonParser parser = JSON.createParser(body)) {
                expect(parser.nextToken(), JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value == JsonToken.START_OBJECT) {
                        FlatJson.object(parser).forEach((key, number) -> summary.put(name + "." + key, number));
                    } else if (value == JsonToken.START_ARRAY) {
                        parser.skipChildren();
                    } else if (value.isBoolean()) {
                        summary.put(name, parser.getBooleanValue());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("not a passthrough listing: " + body, e);
            }
            return summary;
        }

        private static void expect(JsonToken actual, JsonToken expected) {
            if (actual != expected) {
                throw new IllegalArgumentException("expected " + expected + ", got " + actual);
            }
        }
    }

    /** {@code GET /passthrough}'s entries. */
    public static List<Map<String, Object>> list(InetSocketAddress admin) {
        return request(admin, "GET", "/passthrough").entries("entries");
    }

    /** {@code DELETE /passthrough}, of every entry ({@code host} null) or those of one host; what was removed. */
    public static List<Map<String, Object>> clear(InetSocketAddress admin, String host) {
        String query = host == null ? "" : "?host=" + URLEncoder.encode(host, StandardCharsets.UTF_8);
        return request(admin, "DELETE", "/passthrough" + query).entries("removed");
    }

    public static Answer request(InetSocketAddress admin, String method, String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + SluiceFixture.hostPort(admin) + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(SluiceFixture.PATIENCE)
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
