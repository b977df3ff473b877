package dev.sluice.http1;

import dev.sluice.policy.Decision;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;

/**
 * Fired by the front door down the client pipeline for an allowed absolute-form request; the request's
 * {@code HttpContent}s follow it as they arrive. The request still carries its absolute URI and all headers;
 * the forwarder rewrites it to origin-form and strips hop-by-hop headers.
 *
 * @param request the decoded request head
 * @param host    origin host from the URI (lower-case, no brackets)
 * @param port    origin port (80 if absent)
 * @param decision the policy decision (for the destination guard and logs)
 * @param user    authenticated proxy user or null
 * @param started when the request head was read
 */
public record ForwardRequest(HttpRequest request, String host, int port, Decision decision, String user,
                             Instant started) {
}
