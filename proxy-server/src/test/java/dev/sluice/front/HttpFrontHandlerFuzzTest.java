package dev.sluice.front;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.http1.ForwardRequest;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.Policy;
import dev.sluice.policy.ProxyAuthenticator;
import dev.sluice.testing.LeakRecorder;
import dev.sluice.testing.RecordingAccessLog;
import dev.sluice.upstream.UpstreamConnector;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Whatever a client sends as request heads, the front door answers with an HTTP status it documents, tunnels, or
 * hands on a request whose body framing is unambiguous; nothing escapes the pipeline and nothing leaks. Requests
 * are built from the fuzzer's bytes out of the parts that matter (methods, targets, versions, framing headers,
 * line ends, folds, NULs), so the fuzzer reaches deep paths quickly; the connector is a stand-in, so nothing
 * connects anywhere. Seeds: CONNECT, absolute-form GET and POST, pipelining and smuggling attempts.
 */
class HttpFrontHandlerFuzzTest {
    private static final SluiceConfig CONFIG = config("""
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            access:
              clients: [127.0.0.0/8]
              connectPorts: [443]
            rules:
              - name: blocked
                match: {host: ads.example.net}
                action: deny
              - name: peeked
                match: {host: sni.example.com, sni: "*.example.com"}
                action: splice
            default: splice
            limits:
              maxRequestLine: 256
              maxHeaderBytes: 1024
            """);
    private static final Policy POLICY = Policy.from(CONFIG);
    private static final Metrics METRICS = Metrics.create();
    private static final Set<Integer> DOCUMENTED_STATUSES =
            Set.of(200, 204, 400, 403, 405, 407, 408, 414, 431, 501, 502, 504, 505);
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final String[] METHODS = {"GET", "POST", "CONNECT", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH",
        "TRACE", "PRI", "get", "BREW", "G\u00c9T"};
    private static final String[] TARGETS = {"http://example.com/", "example.com:443", "http://example.com:8080/a?b=c",
        "https://example.com/", "/index.html", "ads.example.net:443", "http://ads.example.net/", "[::1]:443",
        "example.com:25", "sni.example.com:443", "ftp://example.com/", "http://user@example.com/", "*",
        "http://[::1]:80/", "http://example.com:0/", "example.com"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1"};
    private static final String[] NAMES = {"Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect",
        "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Trailer", "TE", "X-Id", "Transfer-Encoding ",
        "Content-Length\t", " Host", "Content\u0000Length"};
    private static final String[] VALUES = {"chunked", "5", "0", "gzip, chunked", "chunked, identity", "chunked;x=1",
        " chunked", "Chunked", "5, 5", "-1", "+5", "0x5", "99999999999999999999", "keep-alive", "close",
        "100-continue", "websocket", "example.com", "Basic YWxpY2U6cHc=", "\u0000", "a\u0000b", "identity"};
    private static final String[] LINE_ENDS = {"\r\n", "\r\n", "\r\n", "\n", "\r", "\r\n "};

    private static final ListAppender<ILoggingEvent> LOGGED = new ListAppender<>();
    private static final Logger SLUICE_LOG = (Logger) LoggerFactory.getLogger("dev.sluice");

    @BeforeAll
    static void watchTheLog() {
        LOGGED.start();
        SLUICE_LOG.addAppender(LOGGED);
    }

    @AfterAll
    static void stopWatching() {
        SLUICE_LOG.detachAppender(LOGGED);
        METRICS.close();
    }

    /**
     * The fuzzer's last byte picks the mode: odd builds requests from parts, even sends the other bytes as they are,
     * so a seed is a request as a client would send it followed by one even byte (a line feed, in the corpus).
     */
    @FuzzTest
    void everyRequestHeadGetsADocumentedAnswer(FuzzedDataProvider data) {
        boolean built = data.consumeBoolean();
        StandInConnector connector = new StandInConnector(built && data.consumeBoolean());
        Forwarder forwarder = new Forwarder();
        EmbeddedChannel channel = frontDoor(connector, forwarder);
        List<ByteBuf> sent = new ArrayList<>();
        try {
            byte[] wire = built ? request(data) : data.consumeRemainingAsBytes();
            int at = 0;
            while (at < wire.length && channel.isOpen()) {
                int n = built ? data.consumeInt(1, wire.length - at) : Math.max(1, wire.length / 2);
                n = Math.min(n, wire.length - at);
                ByteBuf part = channel.alloc().buffer(n).writeBytes(wire, at, n);
                sent.add(part);
                channel.writeInbound(part);
                channel.runPendingTasks();
                at += n;
            }
            assertAnswersAreDocumented(drainOutbound(channel));
            forwarder.requests.forEach(HttpFrontHandlerFuzzTest::assertFramingIsUnambiguous);
            assertThat(connector.calls).as("a connection opens at most one tunnel").hasSizeLessThanOrEqualTo(1);
        } finally {
            connector.timeOutPending();
            channel.finishAndReleaseAll();
            forwarder.releaseAll();
        }
        assertThat(sent).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(LOGGED.list).as("nothing failed inside the pipeline")
                .noneMatch(e -> e.getThrowableProxy() != null
                        && !e.getThrowableProxy().getClassName().equals(IOException.class.getName()));
        LOGGED.list.clear();
        assertThat(LeakRecorder.drain()).as("leaks reported so far").isEmpty();
    }

    /** A request head (sometimes two, pipelined) made of the parts the fuzzer picks, then whatever bytes are left. */
    private static byte[] request(FuzzedDataProvider data) {
        StringBuilder out = new StringBuilder();
        int requests = data.consumeInt(1, 2);
        for (int r = 0; r < requests; r++) {
            String end = data.pickValue(LINE_ENDS);
            out.append(pickOrMake(data, METHODS)).append(data.consumeBoolean() ? " " : "  ")
                    .append(pickOrMake(data, TARGETS)).append(' ').append(pickOrMake(data, VERSIONS)).append(end);
            int headers = data.consumeInt(0, 6);
            for (int h = 0; h < headers; h++) {
                out.append(pickOrMake(data, NAMES)).append(data.consumeBoolean() ? ": " : ":")
                        .append(pickOrMake(data, VALUES)).append(data.pickValue(LINE_ENDS));
            }
            out.append(end);
            if (data.consumeBoolean()) {
                out.append("5\r\nhello\r\n0\r\n\r\n");
            }
        }
        byte[] head = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = data.consumeBytes(4096);
        byte[] wire = new byte[head.length + tail.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(tail, 0, wire, head.length, tail.length);
        return wire;
    }

    private static String pickOrMake(FuzzedDataProvider data, String[] choices) {
        return data.consumeInt(0, 7) == 0 ? data.consumeString(40) : data.pickValue(choices);
    }

    private static void assertAnswersAreDocumented(String answered) {
        Matcher status = STATUS_LINE.matcher(answered);
        int answers = 0;
        while (status.find()) {
            answers++;
            assertThat(Integer.parseInt(status.group(1))).as("status in %s", answered).isIn(DOCUMENTED_STATUSES);
        }
        assertThat(answered.isEmpty() || answers > 0).as("answered with HTTP: %s", answered).isTrue();
        assertThat(answered).as("the client only ever sees HTTP/1.1 answers").doesNotContain("\u0000");
    }

    /** A forwarded request says exactly one way where its body ends, in a form every origin reads alike. */
    private static void assertFramingIsUnambiguous(ForwardRequest forwarded) {
        HttpHeaders headers = forwarded.request().headers();
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        assertThat(lengths.isEmpty() || codings.isEmpty()).as("Content-Length and Transfer-Encoding").isTrue();
        assertThat(lengths).hasSizeLessThanOrEqualTo(1).allMatch(v -> v.matches("[0-9]{1,18}"));
        assertThat(codings).hasSizeLessThanOrEqualTo(1).allMatch(v -> v.trim().equalsIgnoreCase("chunked"));
        assertThat(forwarded.request().method()).isNotIn(HttpMethod.CONNECT, HttpMethod.TRACE);
        assertThat(forwarded.host()).isNotEqualTo("ads.example.net");
        assertThat(forwarded.request().protocolVersion()).isIn(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1);
    }

    private static EmbeddedChannel frontDoor(UpstreamConnector connector, Forwarder forwarder) {
        return FrontDoorChannel.open(new FrontServices(POLICY, new ProxyAuthenticator(CONFIG.auth()), connector, METRICS,
                new RecordingAccessLog(), CONFIG.timeouts(), CONFIG.limits()), CONFIG, forwarder);
    }

    private static String drainOutbound(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            if (msg instanceof ByteBuf buf) {
                out.append(buf.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(msg);
        }
        return out.toString();
    }

    private static SluiceConfig config(String yaml) {
        try {
            return ConfigLoader.parse(yaml, "fuzz.yaml");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Stands in for the forwarder: keeps what is handed on and answers 204 once a request's body has ended. */
    private static final class Forwarder extends ChannelInboundHandlerAdapter {
        final List<ForwardRequest> requests = new ArrayList<>();
        private final List<Object> kept = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            kept.add(msg);
            if (msg instanceof ForwardRequest request) {
                requests.add(request);
            }
            if (msg instanceof LastHttpContent) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
            }
        }

        void releaseAll() {
            kept.forEach(ReferenceCountUtil::release);
        }
    }

    /**
     * Never connects: refuses at once, or leaves the upstream pending until the end of the input, when it times out
     * as a real connector's attempt would.
     */
    private static final class StandInConnector implements UpstreamConnector {
        final List<String> calls = new ArrayList<>();
        private final List<Promise<Channel>> pending = new ArrayList<>();
        private final boolean refuse;

        StandInConnector(boolean refuse) {
            this.refuse = refuse;
        }

        @Override
        public Future<Channel> connect(EventLoop loop, String host, int port, Decision decision,
                                       ChannelInitializer<Channel> initializer) {
            calls.add(host + ":" + port);
            if (refuse) {
                return loop.newFailedFuture(new UpstreamException(UpstreamFailure.CONNECT_REFUSED, "refused", null));
            }
            Promise<Channel> promise = loop.newPromise();
            pending.add(promise);
            return promise;
        }

        void timeOutPending() {
            pending.forEach(p -> p.tryFailure(new UpstreamException(UpstreamFailure.CONNECT_TIMEOUT, "timed out", null)));
        }
    }
}
