package dev.sluice.server;

import dev.sluice.relay.Drain;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

/**
 * Retires the client connections accepted under a policy a reload replaced. Each connection is tagged with the
 * decision generation it was accepted with ({@link LiveServices.Current#generation()}); a reload that changes what
 * decides moves the generation on, and every connection of an older one hears {@link Drain#EVENT}: an idle
 * keep-alive connection closes, an exchange under way finishes with {@code Connection: close}, a bumped HTTP/2
 * connection hears GOAWAY, so the client's next request comes over a new connection under the new policy. A spliced
 * tunnel is one decision already made and stays open. No deadline: nothing is cut off.
 */
final class DecisionGenerations {
    private static final AttributeKey<Long> GENERATION = AttributeKey.valueOf(DecisionGenerations.class, "generation");

    private DecisionGenerations() {
    }

    /**
     * Tags a connection just accepted with {@code acceptedWith}, the generation of the services it read. Called
     * after the connection joined the client group and its pipeline is built, with {@code inForce} read after that,
     * it retires the connection at once if a reload swapped in between (that reload's {@link #retireOlder} may have
     * run before the connection joined the group).
     *
     * @return whether the connection was retired
     */
    static boolean accepted(Channel client, long acceptedWith, long inForce) {
        client.attr(GENERATION).set(acceptedWith);
        return retireIfOlder(client, inForce);
    }

    /** Asks every client connection of a generation before {@code current} to finish; answers how many it asked. */
    static int retireOlder(ChannelGroup clients, long current) {
        int retired = 0;
        for (Channel client : clients) {
            if (retireIfOlder(client, current)) {
                retired++;
            }
        }
        return retired;
    }

    /** Each connection is asked once per generation, whoever (accept or reload) sees it first. */
    private static boolean retireIfOlder(Channel client, long current) {
        Attribute<Long> tag = client.attr(GENERATION);
        Long was = tag.get();
        if (was == null || was >= current || !tag.compareAndSet(was, current)) {
            return false;
        }
        client.pipeline().fireUserEventTriggered(Drain.EVENT);
        return true;
    }
}
