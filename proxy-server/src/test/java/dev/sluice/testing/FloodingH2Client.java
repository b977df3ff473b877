package dev.sluice.testing;

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
import javax.net.ssl.SSLSocketFactory;

/**
 * A prior-knowledge HTTP/2 client on a blocking socket that sends whatever frames a test asks for, however abusive,
 * written by Netty's own frame writer (no framing by hand), and reads what comes back with Netty's frame reader.
 */
public final class FloodingH2Client implements AutoCloseable {
    /** The GOAWAY error code when the connection ended without one reaching the client. */
    public static final long NO_GOAWAY = -1;

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
    private final Map<Integer, Long> resets = new HashMap<>();
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
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
            resets.putIfAbsent(streamId, errorCode);
        }

        @Override
        public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            return 0;
        }
    };

    private FloodingH2Client(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout((int) SluiceFixture.PATIENCE.toMillis());
        out = socket.getOutputStream();
        send(Unpooled.wrappedBuffer(Http2CodecUtil.connectionPrefaceBuf()));
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        flush();
    }

    /** Prior-knowledge h2 to a loopback port. */
    public static FloodingH2Client connect(int port) throws IOException {
        return connect(port, 64 << 10);
    }

    /** @param receiveBuffer the socket's receive buffer, small for a client that stops reading */
    public static FloodingH2Client connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new FloodingH2Client(socket);
    }

    /** h2 over TLS (ALPN) inside a CONNECT tunnel through the proxy, as a bumped client. */
    public static FloodingH2Client throughProxy(InetSocketAddress proxy, String authority, SSLSocketFactory tls)
            throws IOException {
        return new FloodingH2Client(BumpedSocket.open(proxy, authority, tls, "h2"));
    }

    /**
     * Makes {@code request} an HPACK bomb: one 4,000-byte field, which the frame writer adds to its dynamic table, then
     * 1,999 indexed copies of it; a few KiB that decode to 8 MB (sent again on this client, all indexed).
     */
    public static Http2Headers hpackBomb(Http2Headers request) {
        String value = "b".repeat(4000);
        for (int i = 0; i < 2000; i++) {
            request.add("x-bomb", value);
        }
        return request;
    }

    public FloodingH2Client headers(int streamId, Http2Headers headers, boolean endStream) {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        return this;
    }

    public FloodingH2Client rstStream(int streamId, long errorCode) {
        writer.writeRstStream(ctx, streamId, errorCode, ctx.newPromise());
        return this;
    }

    public FloodingH2Client emptyData(int streamId) {
        writer.writeData(ctx, streamId, Unpooled.EMPTY_BUFFER, 0, false, ctx.newPromise());
        return this;
    }

    public FloodingH2Client ping(long data) {
        writer.writePing(ctx, false, data, ctx.newPromise());
        return this;
    }

    public FloodingH2Client settings(Http2Settings settings) {
        writer.writeSettings(ctx, settings, ctx.newPromise());
        return this;
    }

    public FloodingH2Client windowUpdate(int streamId, int increment) {
        writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise());
        return this;
    }

    public FloodingH2Client priority(int streamId, int streamDependency) {
        writer.writePriority(ctx, streamId, streamDependency, (short) 16, false, ctx.newPromise());
        return this;
    }

    /** A WINDOW_UPDATE with an increment of zero, which the frame writer refuses to write. */
    public FloodingH2Client zeroWindowUpdate(int streamId) {
        writer.writeFrame(ctx, Http2FrameTypes.WINDOW_UPDATE, streamId, new Http2Flags(), Unpooled.wrappedBuffer(
                new byte[4]), ctx.newPromise());
        return this;
    }

    /** A HEADERS frame without END_HEADERS: the header block goes on in CONTINUATION frames. */
    public FloodingH2Client openHeaderBlock(int streamId, byte[] fragment) {
        writer.writeFrame(ctx, Http2FrameTypes.HEADERS, streamId, new Http2Flags().endOfStream(true),
                Unpooled.wrappedBuffer(fragment), ctx.newPromise());
        return this;
    }

    /** A CONTINUATION frame that does not end the header block. */
    public FloodingH2Client continuation(int streamId, byte[] fragment) {
        writer.writeFrame(ctx, Http2FrameTypes.CONTINUATION, streamId, new Http2Flags(),
                Unpooled.wrappedBuffer(fragment), ctx.newPromise());
        return this;
    }

    /** Sends the frames written so far, in one write. Throws once Sluice closed the connection. */
    public FloodingH2Client flush() throws IOException {
        frames.flush();
        ByteBuf pending = Unpooled.buffer();
        try {
            for (ByteBuf frame; (frame = frames.readOutbound()) != null; ) {
                pending.writeBytes(frame);
                frame.release();
            }
            send(pending.retain());
        } finally {
            pending.release();
        }
        out.flush();
        return this;
    }

    /**
     * Sends the frames written so far as a flood Sluice may end before it is over: false once it closed the
     * connection, what Sluice sent before that left to read.
     */
    public boolean flood() {
        try {
            flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    private void send(ByteBuf bytes) throws IOException {
        try {
            out.write(ByteBufUtil.getBytes(bytes));
        } finally {
            bytes.release();
        }
    }

    /**
     * Reads until Sluice closes the connection; the error code of the last GOAWAY it sent, or {@link #NO_GOAWAY}.
     * Fails if the connection is still open after the harness's patience.
     */
    public long awaitGoAwayAndClose() throws IOException {
        while (readFrames()) {
            // until the end
        }
        return goAway;
    }

    /** Reads until the response head of {@code streamId} arrives; its {@code :status}. */
    public String awaitStatus(int streamId) throws IOException {
        while (!statuses.containsKey(streamId)) {
            if (!readFrames()) {
                throw new IOException("connection closed before stream " + streamId + " was answered");
            }
        }
        return statuses.get(streamId);
    }

    /** Reads until a RST_STREAM for {@code streamId} arrives; its error code. */
    public long awaitReset(int streamId) throws IOException {
        while (!resets.containsKey(streamId)) {
            if (!readFrames()) {
                throw new IOException("connection closed before stream " + streamId + " was reset");
            }
        }
        return resets.get(streamId);
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
            throw new IOException("Sluice did not close the connection within " + SluiceFixture.PATIENCE, e);
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
