package dev.sluice.http1;

import dev.sluice.config.Cidr;
import java.util.List;

/**
 * What makes two requests able to share an upstream connection: the same origin, reached under the same
 * destination exemptions. The exemptions are part of the key so that a connection the destination guard let
 * through for one rule is never handed to a request decided by another.
 */
record OriginKey(String host, int port, List<Cidr> allowDestinations) {
    static OriginKey of(ForwardRequest request) {
        return new OriginKey(request.host(), request.port(), request.decision().allowDestinations());
    }
}
