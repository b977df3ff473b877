package dev.sluice.config;

/**
 * @param maxRequestLine  bytes in a request line (exceeded: 414)
 * @param maxHeaderBytes  bytes of all request headers (exceeded: 431)
 * @param maxIdleUpstreamPerOrigin pooled idle HTTP/1.1 upstream connections kept per origin and event loop
 */
public record LimitsConfig(int maxRequestLine, int maxHeaderBytes, int maxIdleUpstreamPerOrigin) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(8192, 65536, 8);
}
