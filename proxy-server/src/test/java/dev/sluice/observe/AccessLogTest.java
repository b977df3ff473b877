package dev.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.config.AccessLogConfig;
import dev.sluice.grpc.GrpcCallRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
    private static final JsonFactory JSON = new JsonFactory();

    @TempDir
    Path dir;

    private final Metrics metrics = Metrics.create();

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    @Test
    void writesOneJsonObjectPerLineWithEveryField() throws IOException {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.parse("2025-03-04T05:06:07Z"), "10.1.2.3:50123", "alice", "CONNECT",
                    "api.example.com:443", "splice", "mgmt-plane", 200, 1234, 56789, 42, "client_reset"));
        }

        List<Map<String, Object>> lines = parseLines(file);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).containsExactly(
                Map.entry("time", "2025-03-04T05:06:07.000Z"),
                Map.entry("client", "10.1.2.3:50123"),
                Map.entry("user", "alice"),
                Map.entry("method", "CONNECT"),
                Map.entry("target", "api.example.com:443"),
                Map.entry("action", "splice"),
                Map.entry("rule", "mgmt-plane"),
                Map.entry("status", 200L),
                Map.entry("bytes_up", 1234L),
                Map.entry("bytes_down", 56789L),
                Map.entry("duration_ms", 42L),
                Map.entry("error", "client_reset"));
    }

    @Test
    void aBumpThatAutomaticPassthroughSplicedSaysWhy() throws IOException {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.parse("2025-03-04T05:06:07Z"), "10.1.2.3:50123", null, "CONNECT",
                    "api.example.com:443", "splice", "bump-all", 200, 10, 20, 5, null, null, "api.example.com",
                    "mtls", null));
        }

        assertThat(parseLines(file).get(0))
                .containsEntry("action", "splice")
                .containsEntry("rule", "bump-all")
                .containsEntry("sni", "api.example.com")
                .containsEntry("passthrough", "mtls");
    }

    @Test
    void leavesOutNullFields() throws IOException {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.parse("2025-03-04T05:06:07.891Z"), "127.0.0.1:1", null, "GET",
                    "http://example.com/", null, null, 400, 0, 0, 1, null));
        }

        Map<String, Object> line = parseLines(file).get(0);
        assertThat(line).doesNotContainKeys("user", "action", "rule", "error", "passthrough")
                .containsEntry("time", "2025-03-04T05:06:07.891Z")
                .containsEntry("status", 400L);
    }

    @Test
    void hostileTextStaysInsideItsField() throws IOException {
        Path file = dir.resolve("access.log");
        String target = "evil.example:443\n{\"forged\":true}\u0000\u2028";
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.EPOCH, "127.0.0.1:1", null, "CONNECT", target, "deny", "blocked",
                    403, 0, 0, 0, null));
        }

        List<Map<String, Object>> lines = parseLines(file);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).containsEntry("target", target).doesNotContainKey("forged");
    }

    @Test
    void aGrpcCallsLineCarriesItsCallFields() throws IOException {
        Path file = dir.resolve("access.log");
        GrpcCallRecord call = new GrpcCallRecord("pkg.Svc", "Get", 5, "no such thing", "gzip", "deflate", 1, 3, 10,
                30, null, false);
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.EPOCH, "127.0.0.1:1", null, "POST", "https://api.test:443/pkg.Svc/Get",
                    "bump", "default", 200, 15, 45, 7, null, "h2", "api.test", null, call));
        }

        assertThat(parseLines(file).get(0)).containsEntry("status", 200L)
                .containsEntry("grpc_service", "pkg.Svc")
                .containsEntry("grpc_method", "Get")
                .containsEntry("grpc_code", 5L)
                .containsEntry("grpc_status", "NOT_FOUND")
                .containsEntry("grpc_message", "no such thing")
                .containsEntry("grpc_req_msgs", 1L)
                .containsEntry("grpc_resp_msgs", 3L)
                .containsEntry("grpc_req_bytes", 10L)
                .containsEntry("grpc_resp_bytes", 30L)
                .containsEntry("grpc_req_encoding", "gzip")
                .containsEntry("grpc_resp_encoding", "deflate")
                .doesNotContainKey("grpc_rule");
    }

    @Test
    void aCallWithoutStatusHasNoCodeAndStatusNone() throws IOException {
        Path file = dir.resolve("access.log");
        GrpcCallRecord call = new GrpcCallRecord(null, null, -1, null, null, null, 0, 0, 0, 0, "no-admin", true);
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.EPOCH, "127.0.0.1:1", null, "POST", "https://api.test:443/x", "bump",
                    "default", 0, 0, 0, 7, "client_reset", "h2", "api.test", null, call));
        }

        assertThat(parseLines(file).get(0)).containsEntry("grpc_status", "NONE")
                .containsEntry("grpc_rule", "no-admin")
                .containsEntry("grpc_req_msgs", 0L)
                .doesNotContainKeys("grpc_code", "grpc_service", "grpc_method", "grpc_message", "grpc_req_encoding",
                        "grpc_resp_encoding");
    }

    @Test
    void aHostileGrpcMessageStaysInsideItsField() throws IOException {
        Path file = dir.resolve("access.log");
        String message = "oops\",\"grpc_code\":0}\n{\"forged\":true}\u0000\u2028\u00fc";
        GrpcCallRecord call = new GrpcCallRecord("pkg.Svc", "Get", 13, message, null, null, 1, 0, 1, 0, null, false);
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.EPOCH, "127.0.0.1:1", null, "POST", "https://api.test:443/pkg.Svc/Get",
                    "bump", "default", 200, 6, 0, 7, null, "h2", "api.test", null, call));
        }

        List<Map<String, Object>> lines = parseLines(file);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).containsEntry("grpc_message", message).containsEntry("grpc_code", 13L)
                .doesNotContainKey("forged");
    }

    @Test
    void aLineThatIsNoGrpcCallHasNoGrpcFields() throws IOException {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            log.log(new AccessLogEntry(Instant.EPOCH, "127.0.0.1:1", null, "GET", "https://api.test:443/", "bump",
                    "default", 200, 0, 10, 7, null, "h2", "api.test"));
        }

        assertThat(parseLines(file).get(0).keySet()).noneMatch(key -> key.startsWith("grpc_"));
    }

    @Test
    void appendsToAnExistingFile() throws IOException {
        Path file = dir.resolve("access.log");
        for (int i = 0; i < 2; i++) {
            try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
                log.log(entry("run-" + i));
            }
        }

        assertThat(parseLines(file)).extracting(l -> l.get("target")).containsExactly("run-0", "run-1");
    }

    @Test
    void manyLinesFromManyThreadsAllArrive() throws Exception {
        Path file = dir.resolve("access.log");
        int threads = 4;
        int perThread = 500;
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, file.toString()), metrics)) {
            Thread[] writers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                writers[t] = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        log.log(entry(id + "-" + i));
                    }
                });
                writers[t].start();
            }
            for (Thread w : writers) {
                w.join();
            }
        }

        assertThat(parseLines(file)).hasSize(threads * perThread);
        assertThat(metrics.scrape()).contains("sluice_access_log_dropped_total 0.0");
    }

    @Test
    void aFullQueueDropsTheLineAndCountsItInsteadOfBlocking() throws Exception {
        StalledOutput output = new StalledOutput();
        JsonLinesAccessLog log = new JsonLinesAccessLog(output, true, 2, metrics::accessLogDropped);
        try {
            log.log(entry("first"));
            assertThat(output.entered.await(30, TimeUnit.SECONDS)).as("writer reached the stalled output").isTrue();

            for (int i = 0; i < 5; i++) {
                log.log(entry("queued-" + i)); // 2 fit in the queue, 3 are dropped; none of these calls blocks
            }
            assertThat(metrics.scrape()).contains("sluice_access_log_dropped_total 3.0");
        } finally {
            output.release.countDown();
            log.close();
        }

        assertThat(output.text().lines()).hasSize(3);
        assertThat(output.closed).isTrue();
    }

    @Test
    void disabledWritesNothing() {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(false, file.toString()), metrics)) {
            log.log(entry("ignored"));
            assertThat(log).isSameAs(AccessLog.DISABLED);
        }

        assertThat(file).doesNotExist();
    }

    @Test
    void aFileThatCannotBeOpenedFailsAtStartup() {
        Path file = dir.resolve("missing-dir").resolve("access.log");

        assertThatThrownBy(() -> AccessLog.create(new AccessLogConfig(true, file.toString()), metrics))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }

    private static AccessLogEntry entry(String target) {
        return new AccessLogEntry(Instant.now(), "127.0.0.1:40000", null, "CONNECT", target, "splice", "default",
                200, 1, 2, 3, null);
    }

    /** Reads every line as one flat JSON object, failing on anything else. */
    private static List<Map<String, Object>> parseLines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(AccessLogTest::parseObject).toList();
    }

    private static Map<String, Object> parseObject(String line) {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(line)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                fields.put(name, value == JsonToken.VALUE_NUMBER_INT ? (Object) parser.getLongValue() : parser.getText());
            }
            assertThat(parser.currentToken()).isEqualTo(JsonToken.END_OBJECT);
            assertThat(parser.nextToken()).as("nothing after the object").isNull();
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + line, e);
        }
        return fields;
    }

    /** An output whose first write waits until released, like a stdout nobody reads. */
    private static final class StalledOutput extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (bytes) {
                bytes.write(b, off, len);
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
