package dev.sluice.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.Map;

/**
 * A prior-knowledge HTTP/2 client on a blocking socket that sends whatever frames a test asks for, however abusive,
 * written by Netty's own frame writer (no framing by hand), and reads what comes back with Netty's frame reader.
 */
final class FloodingH2Client implements AutoCloseable {
    /** The GOAWAY error code when the connection ended without one reaching the client. */
    static final long NO_GOAWAY = -1;

    private final Socket socket;
    private final OutputStream out;
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    /** Gives the frame writer and reader a context; what the writer writes is taken from its outbound queue. */
    private final EmbeddedChannel frames = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = frames.pipeline().firstContext();
    private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
    private final ByteBuf received = Unpooled.buffer();
    private final byte[] chunk = new byte[16 << 10];
    private final Map<Integer, String> statuses = new HashMap<>();
    private long goAway = NO_GOAWAY;
    private final Http2FrameAdapter listener = new Http2FrameAdapter() {
        @Override
        public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
            goAway = errorCode;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
                                  boolean endStream) {
            if (headers.status() != null) {
                statuses.putIfAbsent(streamId, headers.status().toString());
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endStream) {
            onHeadersRead(c, streamId, headers, padding, endStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            return 0;
        }
    };

    /** @param receiveBuffer the socket's receive buffer, small for a client that stops reading */
    FloodingH2Client(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.setSoTimeout((int) BridgeHarness.PATIENCE.toMillis());
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        out = socket.getOutputStream();
        send(Unpooled.wrappedBuffer(Http2CodecUtil.connectionPrefaceBuf()));
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        flush();
    }

    FloodingH2Client(int port) throws IOException {
        this(port, 64 << 10);
    }

    FloodingH2Client headers(int streamId, Http2Headers headers, boolean endStream) {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        return this;
    }

    FloodingH2Client rstStream(int streamId, long errorCode) {
        writer.writeRstStream(ctx, streamId, errorCode, ctx.newPromise());
        return this;
    }

    FloodingH2Client emptyData(int streamId) {
        writer.writeData(ctx, streamId, Unpooled.EMPTY_BUFFER, 0, false, ctx.newPromise());
        return this;
    }

    FloodingH2Client ping(long data) {
        writer.writePing(ctx, false, data, ctx.newPromise());
        return this;
    }

    FloodingH2Client settings(Http2Settings settings) {
        writer.writeSettings(ctx, settings, ctx.newPromise());
        return this;
    }

    FloodingH2Client windowUpdate(int streamId, int increment) {
        writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise());
        return this;
    }

    /** A HEADERS frame without END_HEADERS: the header block goes on in CONTINUATION frames. */
    FloodingH2Client openHeaderBlock(int streamId, byte[] fragment) {
        writer.writeFrame(ctx, Http2FrameTypes.HEADERS, streamId, new Http2Flags().endOfStream(true),
                Unpooled.wrappedBuffer(fragment), ctx.newPromise());
        return this;
    }

    /** A CONTINUATION frame that does not end the header block. */
    FloodingH2Client continuation(int streamId, byte[] fragment) {
        writer.writeFrame(ctx, Http2FrameTypes.CONTINUATION, streamId, new Http2Flags(),
                Unpooled.wrappedBuffer(fragment), ctx.newPromise());
        return this;
    }

    /** Sends the frames written so far. Throws once Sluice closed the connection. */
    FloodingH2Client flush() throws IOException {
        frames.flush();
        for (ByteBuf frame; (frame = frames.readOutbound()) != null; ) {
            send(frame);
        }
        out.flush();
        return this;
    }

    private void send(ByteBuf frame) throws IOException {
        try {
            out.write(ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    /**
     * Reads until Sluice closes the connection; the error code of the last GOAWAY it sent, or {@link #NO_GOAWAY}.
     * Fails if the connection is still open after the harness's patience.
     */
    long awaitGoAwayAndClose() throws IOException {
        while (readFrames()) {
            // until the end
        }
        return goAway;
    }

    /** Reads until the response head of {@code streamId} arrives; its {@code :status}. */
    String awaitStatus(int streamId) throws IOException {
        while (!statuses.containsKey(streamId)) {
            if (!readFrames()) {
                throw new IOException("connection closed before stream " + streamId + " was answered");
            }
        }
        return statuses.get(streamId);
    }

    /** Reads one chunk and the frames it completes; false at the end of the connection. */
    private boolean readFrames() throws IOException {
        int n = readOrEnd(socket.getInputStream(), chunk);
        if (n <= 0) {
            return false;
        }
        received.writeBytes(chunk, 0, n);
        try {
            reader.readFrame(ctx, received, listener);
        } catch (Http2Exception e) {
            throw new IOException("Sluice sent a malformed frame", e);
        }
        received.discardReadBytes();
        return true;
    }

    /** The bytes read, or -1 at the end of the stream or a reset (what was received before it was read first). */
    private static int readOrEnd(InputStream in, byte[] chunk) throws IOException {
        try {
            return in.read(chunk);
        } catch (SocketTimeoutException e) {
            throw new IOException("Sluice did not close the connection within " + BridgeHarness.PATIENCE, e);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        reader.close();
        received.release();
        frames.finishAndReleaseAll();
    }
}
