package dev.sluice.config;

/**
 * @param maxRequestLine  bytes in a request line (exceeded: 414)
 * @param maxHeaderBytes  bytes of all request headers (exceeded: 431)
 * @param maxIdleUpstreamPerOrigin pooled idle HTTP/1.1 upstream connections kept per origin and event loop
 * @param maxClientConnections    client connections open at once, all clients together (exceeded: 503)
 * @param maxConnectionsPerClient client connections open at once from one client IP address (exceeded: 503)
 * @param h2                      what a bumped HTTP/2 connection may ask of Sluice
 */
public record LimitsConfig(int maxRequestLine, int maxHeaderBytes, int maxIdleUpstreamPerOrigin,
                           int maxClientConnections, int maxConnectionsPerClient, H2LimitsConfig h2) {
    /** Upper bound for both connection limits: far beyond what one process holds open. */
    public static final int MAX_CONNECTIONS = 1_000_000;
    /**
     * 10,000 clients: above the 8,000 idle tunnels Sluice is sized for, below the open-files limit of a container
     * (each tunnel is two descriptors). 256 from one address: well above what a browser or a client pool opens.
     */
    public static final LimitsConfig DEFAULTS = new LimitsConfig(8192, 65536, 8, 10_000, 256);

    /** With the default {@code limits.h2}. */
    public LimitsConfig(int maxRequestLine, int maxHeaderBytes, int maxIdleUpstreamPerOrigin, int maxClientConnections,
                        int maxConnectionsPerClient) {
        this(maxRequestLine, maxHeaderBytes, maxIdleUpstreamPerOrigin, maxClientConnections, maxConnectionsPerClient,
                H2LimitsConfig.DEFAULTS);
    }
}
