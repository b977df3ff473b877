package dev.sluice.server;

import dev.sluice.reload.ReloadOutcome;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /reload} on the admin listener: reloads the configuration as SIGHUP does and answers how it went, 200
 * with the summary, or 422 with every error, one per line (the configuration in force is kept). Guarded like
 * {@code DELETE /passthrough} ({@link RebindingGuard}), and refused with an {@code Origin} header: a browser sends one
 * with every cross-origin POST, even the "simple" ones that need no CORS preflight; curl and scripts send none.
 */
final class AdminReload {
    static final String PATH = "/reload";
    private static final Logger log = LoggerFactory.getLogger(AdminReload.class);

    /** Starts a reload named by its trigger; answers null while reloading is not set up. */
    private final Function<String, CompletableFuture<ReloadOutcome>> reloads;

    AdminReload(Function<String, CompletableFuture<ReloadOutcome>> reloads) {
        this.reloads = reloads;
    }

    /** @param answer gets the status and text body; called once, maybe later on another thread */
    void handle(FullHttpRequest request, BiConsumer<HttpResponseStatus, String> answer) {
        if (!HttpMethod.POST.equals(request.method())) {
            answer.accept(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST only");
            return;
        }
        if (!RebindingGuard.allows(request.headers().get(HttpHeaderNames.HOST))
                || request.headers().contains(HttpHeaderNames.ORIGIN)) {
            log.warn("admin: refused POST {}: sent by a browser (Origin header) or Host is neither an IP address nor "
                    + "localhost", PATH);
            answer.accept(HttpResponseStatus.FORBIDDEN,
                    "Host must be an IP address or localhost, and no Origin header, for POST " + PATH);
            return;
        }
        CompletableFuture<ReloadOutcome> pending = reloads.apply("admin POST " + PATH);
        if (pending == null) {
            answer.accept(HttpResponseStatus.NOT_FOUND, "reloading is not set up on this server");
            return;
        }
        pending.whenComplete((outcome, failure) -> {
            if (failure != null) {
                answer.accept(HttpResponseStatus.SERVICE_UNAVAILABLE, "no reload: " + failure.getMessage());
            } else if (outcome.applied()) {
                answer.accept(HttpResponseStatus.OK, "reloaded: " + outcome.summary() + "\n"
                        + (outcome.restartOnly().isEmpty() ? ""
                        : "need a restart to take effect: " + String.join(", ", outcome.restartOnly()) + "\n"));
            } else {
                answer.accept(HttpResponseStatus.UNPROCESSABLE_ENTITY,
                        "not reloaded; the configuration in force is kept:\n" + String.join("\n", outcome.errors())
                                + "\n");
            }
        });
    }
}
