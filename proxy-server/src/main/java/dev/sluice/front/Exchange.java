package dev.sluice.front;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * The facts of one request as the front door saw them, for metrics and the access log.
 *
 * @param method null when the request could not be parsed
 * @param target the request target as sent ({@code host:port} for CONNECT), or null
 * @param user   authenticated proxy user, or null
 */
record Exchange(Instant started, long startNanos, InetSocketAddress client, String method, String target,
                String user) {
    static Exchange begin(Channel channel, String method, String target) {
        InetSocketAddress client = channel.remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        return new Exchange(Instant.now(), System.nanoTime(), client, method, target, null);
    }

    Exchange withUser(String authenticated) {
        return new Exchange(started, startNanos, client, method, target, authenticated);
    }

    InetAddress clientAddress() {
        return client == null ? null : client.getAddress();
    }

    String clientText() {
        return client == null ? null : NetUtil.toSocketAddressString(client);
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
