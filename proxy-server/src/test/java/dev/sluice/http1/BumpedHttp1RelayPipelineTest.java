package dev.sluice.http1;

import dev.sluice.config.LimitsConfig;
import dev.sluice.grpc.CallGate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.relay.HttpExchangeRecord;
import dev.sluice.relay.HttpRelayObserver;
import dev.sluice.testing.ReadCounter;
import dev.sluice.testing.RecordingHttpObserver;
import dev.sluice.testing.Writability;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BumpedHttp1Relay} between two {@link EmbeddedChannel}s: what it reads when, what it writes, and how it
 * hands a switched connection to the raw relay, byte for byte.
 */
class BumpedHttp1RelayPipelineTest {
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final String WS_REQUEST = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private static final String WS_101 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    private final RecordingHttpObserver observer = new RecordingHttpObserver();
    private final ReadCounter clientReads = new ReadCounter();
    private final ReadCounter upstreamReads = new ReadCounter();
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;

    @BeforeEach
    void start() {
        client = channel(clientReads);
        upstream = channel(upstreamReads);
        BumpedHttp1Relay.start(client, upstream, IDLE, IDLE, DecoderLimits.requests(LimitsConfig.DEFAULTS), "a",
                CallGate.ALLOW_ALL, observer);
    }

    @AfterEach
    void release() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    @Test
    void aRequestGoesUpstreamAndItsResponseComesBack() throws Exception {
        client.writeInbound(text("GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\n"));

        String sent = drain(upstream);
        assertThat(sent).startsWith("GET /x HTTP/1.1\r\n").contains("Host: a").doesNotContainIgnoringCase("x-hop")
                .doesNotContainIgnoringCase("connection:");
        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        assertThat(drain(client)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        assertThat(observer.take().status()).isEqualTo(200);
    }

    @Test
    void aPipelinedRequestWaitsUntilTheResponseBeforeItIsComplete() {
        int readsBefore = clientReads.count();
        client.writeInbound(text("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"));

        assertThat(drain(upstream)).contains("GET /1").doesNotContain("GET /2");
        assertThat(clientReads.count()).as("no read while a response is owed").isEqualTo(readsBefore);

        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"));

        assertThat(drain(upstream)).contains("GET /2");
        assertThat(clientReads.count()).as("the second request is whole: still no read").isEqualTo(readsBefore);
        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));
        assertThat(clientReads.count()).as("reading resumes when both are answered").isGreaterThan(readsBefore);
        assertThat(drain(client)).containsSubsequence("\r\n\r\na", "\r\n\r\nb");
    }

    @Test
    void aRequestBodyIsReadOnlyWhileTheUpstreamIsWritable() {
        client.writeInbound(text("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345"));

        assertReadsOnlyWhileWritable(client, clientReads, upstream, "67");

        assertThat(drain(upstream)).endsWith("1234567");
    }

    @Test
    void aResponseIsReadOnlyWhileTheClientIsWritable() {
        client.writeInbound(text("GET /down HTTP/1.1\r\nHost: a\r\n\r\n"));
        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123"));

        assertReadsOnlyWhileWritable(upstream, upstreamReads, client, "45");

        assertThat(drain(client)).endsWith("12345");
    }

    @Test
    void a101HandsTheBytesBothCodecsHeldToTheRawRelay() throws Exception {
        client.writeInbound(text("POST /before HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"));
        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwxyz"));
        drain(upstream);
        drain(client);

        client.writeInbound(text(WS_REQUEST));
        String upgrade = drain(upstream);
        assertThat(upgrade).containsIgnoringCase("upgrade: websocket").containsIgnoringCase("connection: upgrade");
        upstream.writeInbound(text(WS_101 + "frame-from-origin"));

        String switched = drain(client);
        assertThat(switched).containsIgnoringCase("upgrade: websocket").containsIgnoringCase("connection: upgrade")
                .endsWith("\r\n\r\nframe-from-origin");
        assertThat(client.pipeline().get(BumpedHttp1Relay.CODEC)).isNull();
        assertThat(upstream.pipeline().get(BumpedHttp1Relay.CODEC)).isNull();
        client.writeInbound(text("raw-up"));
        upstream.writeInbound(text("raw-down"));
        assertThat(drain(upstream)).isEqualTo("raw-up");
        assertThat(drain(client)).isEqualTo("raw-down");

        observer.take();
        assertThat(observer.take().status()).isEqualTo(101);
        client.close();
        upstream.close();
        observer.awaitClosed();
        assertThat(observer.closedCalls.get()).isEqualTo(1);
        assertThat(observer.closedUp()).isEqualTo(3 + "raw-up".length());
        assertThat(observer.closedDown()).isEqualTo(4 + "frame-from-origin".length() + "raw-down".length());
    }

    @Test
    void anUpgradeTheOriginDeclinesLeavesThePairSpeakingHttp() throws Exception {
        client.writeInbound(text(WS_REQUEST));
        drain(upstream);

        upstream.writeInbound(text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno"));

        assertThat(drain(client)).endsWith("\r\n\r\nno");
        assertThat(client.pipeline().get(BumpedHttp1Relay.CODEC)).isNotNull();
        client.writeInbound(text("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertThat(drain(upstream)).startsWith("GET /next HTTP/1.1");
        assertThat(observer.take().status()).isEqualTo(200);
    }

    @Test
    void aPairWithNoRequestInFlightClosesAfterTheIdleTimeout() throws Exception {
        client.advanceTimeBy(IDLE.toMillis() + 1, TimeUnit.MILLISECONDS);
        client.runPendingTasks();

        assertThat(client.isOpen()).isFalse();
        assertThat(upstream.isOpen()).isFalse();
        assertThat(observer.awaitClosed()).isEqualTo("idle_timeout");
    }

    @Test
    void aRequestInFlightIsNotCutByTheIdleTimeout() {
        client.writeInbound(text("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"));

        client.advanceTimeBy(IDLE.toMillis() * 2, TimeUnit.MILLISECONDS);
        client.runPendingTasks();

        assertThat(client.isOpen()).isTrue();
        drain(upstream);
    }

    @Test
    void aClientThatLeavesMidRequestIsRecordedAsClientClosed() throws Exception {
        client.writeInbound(text("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12"));

        client.close();

        assertThat(upstream.isOpen()).isFalse();
        assertThat(observer.take().error()).isEqualTo("client_closed");
        assertThat(observer.awaitClosed()).isEqualTo("client_closed");
        assertThat(observer.closedCalls.get()).isEqualTo(1);
        drain(upstream);
    }

    @Test
    void bothChannelsCloseEvenWhenReportingTheCutExchangeFails() {
        EmbeddedChannel otherClient = channel(new ReadCounter());
        EmbeddedChannel otherUpstream = channel(new ReadCounter());
        BumpedHttp1Relay.start(otherClient, otherUpstream, IDLE, IDLE, DecoderLimits.requests(LimitsConfig.DEFAULTS),
                "a", CallGate.ALLOW_ALL, new FailingObserver());
        try {
            otherClient.writeInbound(text("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12"));

            otherClient.close();

            assertThat(otherUpstream.isOpen()).isFalse();
        } finally {
            otherClient.finishAndReleaseAll();
            otherUpstream.finishAndReleaseAll();
        }
    }

    /** Fails on the report of an exchange. */
    private static final class FailingObserver implements HttpRelayObserver {
        @Override
        public void exchanged(HttpExchangeRecord exchange) {
            throw new IllegalStateException("observer failed");
        }

        @Override
        public void streamOpened() {
        }

        @Override
        public void streamClosed() {
        }

        @Override
        public void h2Abuse(String leg, String kind) {
        }

        @Override
        public void h2StreamRefused(String reason) {
        }

        @Override
        public void bytesUp(long n) {
        }

        @Override
        public void bytesDown(long n) {
        }

        @Override
        public void closed(long bytesUp, long bytesDown, String error) {
        }
    }

    /**
     * With {@code to} unwritable, {@code more} body bytes arriving on {@code from} are relayed but no further read is
     * asked of {@code from}; once {@code to} is writable again, exactly one is.
     */
    private static void assertReadsOnlyWhileWritable(EmbeddedChannel from, ReadCounter fromReads, EmbeddedChannel to,
                                                     String more) {
        int reads = fromReads.count();
        Writability.set(to, false);

        from.writeInbound(text(more));
        assertThat(fromReads.count()).as("no read while the other side is full").isEqualTo(reads);

        Writability.set(to, true);
        assertThat(fromReads.count()).as("read resumes on writability").isEqualTo(reads + 1);
    }

    private static EmbeddedChannel channel(ReadCounter reads) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast("tls", reads);
        return channel;
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Everything written to a channel so far, as text. */
    private static String drain(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }
}
