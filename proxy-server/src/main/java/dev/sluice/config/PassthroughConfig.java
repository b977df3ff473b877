package dev.sluice.config;

import java.time.Duration;

/**
 * The {@code passthrough:} block: when a bump would break a connection, Sluice splices it instead and remembers
 * that for a while, so nobody has to keep an exclusion list by hand. A bump rule with {@code autoPassthrough: false}
 * never does this.
 *
 * @param mtls       origins that ask for a client certificate during the upstream handshake
 * @param pinned     clients that refuse Sluice's minted leaves
 * @param maxEntries the most remembered entries of each kind. Past it Caffeine's W-TinyLFU policy chooses what goes,
 *                   not necessarily the least recently used: it may drop a newcomer rather than an entry hit more
 *                   often. One client network holds at most 100 pinned entries of them, so that its flood of server
 *                   names cannot crowd out other networks' refusals (see
 *                   {@code dev.sluice.passthrough.PassthroughRegistry})
 */
public record PassthroughConfig(Mtls mtls, Pinned pinned, int maxEntries) {
    public static final PassthroughConfig DEFAULTS = new PassthroughConfig(Mtls.DEFAULTS, Pinned.DEFAULTS, 10_000);
    public static final int MAX_ENTRIES = 1_000_000;

    /**
     * @param enabled whether an origin asking for a client certificate makes Sluice splice (the client's own
     *                certificate then authenticates end to end)
     * @param ttl     how long such an origin ({@code host:port}) is spliced at once, without trying to bump
     */
    public record Mtls(boolean enabled, Duration ttl) {
        public static final Mtls DEFAULTS = new Mtls(true, Duration.ofHours(1));
    }

    /**
     * @param enabled    whether clients that reject minted leaves get spliced
     * @param ttl        how long a (client network, server name) is remembered, counted from its latest failure
     * @param threshold  handshakes a client network must abort against minted leaves for one server name (within
     *                   {@code ttl}) before its connections to that name are spliced
     * @param ipv4Prefix the client network of an IPv4 client: its address masked to this many bits
     * @param ipv6Prefix the same for IPv6 clients
     */
    public record Pinned(boolean enabled, Duration ttl, int threshold, int ipv4Prefix, int ipv6Prefix) {
        public static final Pinned DEFAULTS = new Pinned(true, Duration.ofHours(1), 2, 32, 64);
    }
}
