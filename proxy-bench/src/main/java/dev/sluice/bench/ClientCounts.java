package dev.sluice.bench;

/**
 * What the soak's clients did and saw, to hold Sluice's metrics against.
 *
 * @param tunnels        long-lived CONNECT tunnels opened (spliced)
 * @param tunnelEchoes   echoes that came back through them
 * @param tunnelBytes    bytes sent through them (and echoed back)
 * @param grpcChannels   gRPC channels carrying the streams, each one bumped connection
 * @param streams        bidi streams started
 * @param streamsOk      streams the origin ended with OK
 * @param streamMessages messages sent on the streams
 * @param streamEchoes   messages echoed back on them
 * @param churnSplices   short-lived splices opened, one echo each
 * @param churnBytes     bytes sent through those (and echoed back)
 * @param churnCalls     short-lived bumped connections opened, one unary call each
 * @param churnCallsOk   unary calls answered OK with their echo
 * @param churnSkipped   new-connection ticks skipped because too many were still busy (not an error)
 */
record ClientCounts(long tunnels, long tunnelEchoes, long tunnelBytes, long grpcChannels, long streams, long streamsOk,
                    long streamMessages, long streamEchoes, long churnSplices, long churnBytes, long churnCalls,
                    long churnCallsOk, long churnSkipped) {

    /** Access-log lines Sluice should have written (or dropped): one per connection and one per call in a bump. */
    long expectedAccessLogLines() {
        SluiceCounts expected = expectedOfSluice();
        return expected.clientConnections() + expected.grpcCalls();
    }

    /** What Sluice should have counted for this load: every connection, call and message, and at least the bytes. */
    SluiceCounts expectedOfSluice() {
        return new SluiceCounts(tunnels + grpcChannels + churnSplices + churnCalls, tunnels + churnSplices,
                grpcChannels + churnCalls, 0, 0, streams + churnCalls, streamsOk + churnCallsOk,
                streamMessages + churnCalls, streamEchoes + churnCallsOk, tunnelBytes + churnBytes,
                tunnelBytes + churnBytes, 0, 0, 0);
    }
}
