package dev.sluice.config;

import java.time.Duration;

/**
 * {@code limits.h2}: how much a bumped HTTP/2 connection may ask of Sluice. Each is one of Netty's protections; a peer
 * past one has its connection ended with a GOAWAY (ENHANCE_YOUR_CALM unless said otherwise), counted in
 * {@code sluice_h2_abuse_total{leg,kind}}. The limits hold for both legs where the protocol lets a peer cause the
 * work: the client's, and an origin's (which cannot open streams, so only the frame floods apply to it).
 *
 * @param maxConcurrentStreams       streams a client may have open on one connection, offered in its SETTINGS (lower
 *                                   when the origin allows fewer); one more is refused with RST_STREAM REFUSED_STREAM.
 *                                   Sluice opens no more than this on the origin's connection either
 * @param maxHeaderListSize          decoded bytes of one request's or response's header list (HPACK bomb): a larger
 *                                   request is answered 431 (a client drawing more than 10 per {@code resetWindow}
 *                                   has its connection ended), a larger response ends its stream; a header block
 *                                   whose encoded size passes 1.25 times this ends the connection (PROTOCOL_ERROR)
 * @param maxResetsPerWindow         RST_STREAM frames a client may send per {@code resetWindow} (Rapid Reset,
 *                                   CVE-2023-44487), and RST_STREAM frames other than CANCEL a client may provoke
 *                                   Sluice into sending it, such as a stream past {@code maxConcurrentStreams}
 *                                   refused (MadeYouReset, CVE-2025-55163)
 * @param resetWindow                the window of {@code maxResetsPerWindow} and of the 431s above
 * @param maxEmptyDataFrames         DATA frames in a row with no payload and no END_STREAM
 * @param maxQueuedControlFrames     PING and SETTINGS acknowledgements and RST_STREAM frames queued for a peer that does
 *                                   not read them (PING and SETTINGS floods)
 * @param maxSmallContinuationFrames CONTINUATION frames in a row too small to be legitimate (CONTINUATION flood)
 * @param maxControlFramesPerWindow  PRIORITY frames (Resource Loop, CVE-2019-9513), and apart from them WINDOW_UPDATE
 *                                   frames of less than 1 KiB (a WINDOW_UPDATE flood, Data Dribble), a peer may send
 *                                   per {@code resetWindow}; Netty counts neither
 */
public record H2LimitsConfig(int maxConcurrentStreams, int maxHeaderListSize, int maxResetsPerWindow,
                             Duration resetWindow, int maxEmptyDataFrames, int maxQueuedControlFrames,
                             int maxSmallContinuationFrames, int maxControlFramesPerWindow) {
    /**
     * 100 streams: RFC 9113 §6.5.2's recommended minimum, what nginx and Go offer, and well above what a browser or
     * a gRPC channel keeps open; each open stream may hold a stream window of Sluice's memory. 16 KiB of headers
     * admits the large cookies and tokens browsers and gRPC clients send (Netty's default is 8 KiB). The flood limits
     * are Netty's own server defaults but for queued control frames (Netty: 10,000): a peer that reads never has
     * more than a few queued. 10,000 PRIORITY or small WINDOW_UPDATE frames per 30 s is a few hundred a second, which
     * no client sends: browsers send PRIORITY frames (if any) when a page's streams open, and grow windows by KiB.
     */
    public static final H2LimitsConfig DEFAULTS = new H2LimitsConfig(100, 16 << 10, 200, Duration.ofSeconds(30), 2,
            1000, 16, 10_000);
}
