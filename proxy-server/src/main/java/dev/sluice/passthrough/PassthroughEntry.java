package dev.sluice.passthrough;

import java.time.Instant;

/**
 * One thing automatic passthrough remembers, as {@code GET /passthrough} lists it.
 *
 * @param reason   {@code MTLS}: an origin that asked for a client certificate; {@code PINNED}: a client network that
 *                 refused Sluice's leaves for a server name
 * @param host     the origin's host (mtls) or the server name the clients asked for (pinned)
 * @param port     the origin's port (mtls), or the port the clients CONNECTed to (pinned)
 * @param client   the client network, e.g. {@code 10.1.2.0/24} (pinned); null for mtls
 * @param count    how often it was learned (mtls) or how many handshakes were refused (pinned) since the entry began
 * @param splicing whether matching connections are spliced now: always for mtls, from the threshold on for pinned
 * @param first    when the entry began
 * @param last     the latest time it was learned or a handshake refused
 * @param expires  when it is forgotten unless learned again ({@code last} plus the ttl)
 * @param hits     connections spliced because of it
 */
public record PassthroughEntry(PassthroughReason reason, String host, int port, String client, int count,
                               boolean splicing, Instant first, Instant last, Instant expires, long hits) {
}
