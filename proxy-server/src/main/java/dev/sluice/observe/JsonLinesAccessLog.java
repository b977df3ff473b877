package dev.sluice.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.sluice.grpc.GrpcCallRecord;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: callers (event loops) only offer an entry to a bounded queue; one daemon thread formats
 * and writes. A full queue means the output cannot keep up, and the line is dropped rather than stall
 * the proxy.
 */
final class JsonLinesAccessLog implements AccessLog {
    static final String STDOUT = "stdout";
    static final int QUEUE_CAPACITY = 8192;

    private static final Logger log = LoggerFactory.getLogger(JsonLinesAccessLog.class);
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final BlockingQueue<AccessLogEntry> queue;
    private final OutputStream out;
    private final boolean ownsOut;
    private final Runnable onDrop;
    private final Thread writer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private volatile boolean closed;
    private boolean failing;

    JsonLinesAccessLog(OutputStream out, boolean ownsOut, int capacity, Runnable onDrop) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.ownsOut = ownsOut;
        this.onDrop = onDrop;
        this.writer = new Thread(this::drain, "sluice-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    static JsonLinesAccessLog open(String path, Runnable onDrop) {
        if (STDOUT.equals(path)) {
            // Straight to fd 1: System.out's PrintStream would add a lock and swallow errors.
            return new JsonLinesAccessLog(new FileOutputStream(FileDescriptor.out), false, QUEUE_CAPACITY, onDrop);
        }
        try {
            // FileOutputStream, not a FileChannel stream: an interrupt (close) must not close the file mid-write.
            return new JsonLinesAccessLog(new FileOutputStream(path, true), true, QUEUE_CAPACITY, onDrop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open access log " + path + " for appending", e);
        }
    }

    @Override
    public void log(AccessLogEntry entry) {
        if (entry == null) {
            return;
        }
        if (closed || !queue.offer(entry)) {
            onDrop.run();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        boolean running = true;
        while (running) {
            try {
                write(queue.take());
            } catch (InterruptedException e) {
                running = false; // close(): write what is left, then stop
            }
            AccessLogEntry next;
            while ((next = queue.poll()) != null) {
                write(next);
            }
            flush(); // once per burst, not per line
        }
        if (ownsOut) {
            try {
                out.close();
            } catch (IOException e) {
                log.warn("access log: closing failed: {}", e.toString());
            }
        }
    }

    private void write(AccessLogEntry entry) {
        try {
            line.reset();
            format(entry, line);
            line.writeTo(out);
            failing = false;
        } catch (IOException e) {
            onDrop.run();
            if (!failing) {
                failing = true;
                log.warn("access log: write failed, dropping lines until it works again: {}", e.toString());
            }
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            if (!failing) {
                failing = true;
                log.warn("access log: flush failed: {}", e.toString());
            }
        }
    }

    /** One JSON object and a newline; null fields are left out. */
    static void format(AccessLogEntry e, OutputStream target) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(target)) {
            json.writeStartObject();
            if (e.time() != null) {
                json.writeStringField("time", TIME.format(e.time()));
            }
            writeIfPresent(json, "client", e.client());
            writeIfPresent(json, "user", e.user());
            writeIfPresent(json, "method", e.method());
            writeIfPresent(json, "target", e.target());
            writeIfPresent(json, "action", e.action());
            writeIfPresent(json, "rule", e.rule());
            writeIfPresent(json, "sni", e.sni());
            writeIfPresent(json, "protocol", e.protocol());
            writeIfPresent(json, "passthrough", e.passthrough());
            json.writeNumberField("status", e.status());
            json.writeNumberField("bytes_up", e.bytesUp());
            json.writeNumberField("bytes_down", e.bytesDown());
            json.writeNumberField("duration_ms", e.durationMs());
            writeIfPresent(json, "error", e.error());
            if (e.grpc() != null) {
                writeGrpc(json, e.grpc());
            }
            json.writeEndObject();
        }
        target.write('\n');
    }

    /**
     * A gRPC call's fields; {@code grpc_code} only when the call had a {@code grpc-status}, while {@code grpc_status}
     * is always there, as the metric's {@code code} label ({@code NONE} without a status).
     */
    private static void writeGrpc(JsonGenerator json, GrpcCallRecord call) throws IOException {
        writeIfPresent(json, "grpc_service", call.service());
        writeIfPresent(json, "grpc_method", call.method());
        if (call.code() >= 0) {
            json.writeNumberField("grpc_code", call.code());
        }
        json.writeStringField("grpc_status", call.statusName());
        writeIfPresent(json, "grpc_message", call.message());
        json.writeNumberField("grpc_req_msgs", call.requestMessages());
        json.writeNumberField("grpc_resp_msgs", call.responseMessages());
        json.writeNumberField("grpc_req_bytes", call.requestBytes());
        json.writeNumberField("grpc_resp_bytes", call.responseBytes());
        writeIfPresent(json, "grpc_req_encoding", call.requestEncoding());
        writeIfPresent(json, "grpc_resp_encoding", call.responseEncoding());
        writeIfPresent(json, "grpc_rule", call.rule());
    }

    private static void writeIfPresent(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }
}
