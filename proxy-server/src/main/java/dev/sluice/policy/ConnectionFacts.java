package dev.sluice.policy;

import java.net.InetAddress;

/**
 * What is known about a request when policy runs: who asks, for which host and port.
 * The host is as the client wrote it (a name or a literal address), lower-cased, without brackets.
 */
public record ConnectionFacts(InetAddress client, String host, int port) {
}
