package dev.sluice.front;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import dev.sluice.http1.ForwardRequest;
import dev.sluice.observe.Metrics;
import dev.sluice.policy.Decision;
import dev.sluice.policy.Policy;
import dev.sluice.policy.ProxyAuthenticator;
import dev.sluice.relay.Drain;
import dev.sluice.testing.RecordingAccessLog;
import dev.sluice.upstream.UpstreamConnector;
import dev.sluice.upstream.UpstreamException;
import dev.sluice.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpFrontHandlerTest {
    private static final String CONFIG = """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            access:
              clients: [127.0.0.0/8]
              connectPorts: [443]
            rules:
              - name: blocked
                match: {host: ads.example.net}
                action: deny
            default: splice
            timeouts:
              requestHeader: 5s
              idleClient: 60s
            limits:
              maxRequestLine: 256
              maxHeaderBytes: 1024
            """;
    private static final String AUTH = """
            auth:
              basic:
                users: {alice: "pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=="}
            """;

    private final Metrics metrics = Metrics.create();
    private final RecordingAccessLog accessLog = new RecordingAccessLog();
    private final FakeConnector connector = new FakeConnector();
    private final Sink forwarded = new Sink();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        forwarded.messages.forEach(ReferenceCountUtil::release);
        metrics.close();
    }

    @Nested
    class Connect {
        @ParameterizedTest(name = "CONNECT {0}")
        @ValueSource(strings = {"user@example.com:443", "user:pw@example.com:443", "example.com:0",
                "example.com:99999", "example.com", ":443", "::1:443", "example.com:443/path", "[::1",
                "example.com:", "[::1]:", "[::1]443", "[example.com]:443", "]:443", "[]:443", "[fe80::1%25eth0]:443",
                "@example.com:443", "example.com:443?q", "example.com:443#f", "example..com:443", "exa_mple.com:0443x",
                "http://example.com:443"})
        void aMalformedTargetGets400AndTheConnectionCloses(String target) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");

            String response = response(ch);
            assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n")
                    .contains("Proxy-Status: sluice; error=http_request_error; details=\"bad CONNECT target: ")
                    .containsIgnoringCase("connection: close");
            assertThat(ch.isOpen()).isFalse();
            assertThat(connector.calls).isEmpty();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.method()).isEqualTo("CONNECT");
                assertThat(e.error()).isEqualTo("bad_request");
            });
        }

        @Test
        void anIpv6LiteralInBracketsIsAValidTarget() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "CONNECT [::1]:443 HTTP/1.1\r\n\r\n");

            assertThat(connector.calls).containsExactly("::1:443");
        }

        @Test
        void aPortOutsideConnectPortsGets403NamingTheRule() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "CONNECT example.com:25 HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 403 Forbidden\r\n")
                    .contains("Proxy-Status: sluice; error=http_request_denied; details=\"denied by rule "
                            + Policy.CONNECT_PORTS_RULE);
            assertThat(ch.isOpen()).isFalse();
            assertThat(connector.calls).isEmpty();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.action()).isEqualTo("deny");
                assertThat(e.rule()).isEqualTo(Policy.CONNECT_PORTS_RULE);
                assertThat(e.target()).isEqualTo("example.com:25");
            });
            assertThat(metrics.scrape()).contains("sluice_decisions_total{action=\"deny\",rule=\"access.connectPorts\"} 1");
        }

        @Test
        void aHostDeniedByARuleGets403NamingTheRule() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "CONNECT ads.example.net:443 HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 403 Forbidden\r\n")
                    .contains("details=\"denied by rule blocked");
        }

        @Test
        void aRefusedUpstreamGets502WithItsProxyStatus() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");

            connector.fail(new UpstreamException(UpstreamFailure.CONNECT_REFUSED, "127.0.0.1:9 refused the connection",
                    null));
            ch.runPendingTasks();

            assertThat(response(ch)).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("Proxy-Status: sluice; error=connection_refused; details=\"127.0.0.1:9 refused");
            assertThat(ch.isOpen()).isFalse();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(502);
                assertThat(e.action()).isEqualTo("splice");
                assertThat(e.error()).isEqualTo("connect_refused");
            });
        }

        @Test
        void aDestinationGuardRefusalGets403() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "CONNECT localhost:443 HTTP/1.1\r\n\r\n");

            connector.fail(new UpstreamException(UpstreamFailure.DESTINATION_DENIED, "loopback destination", null));
            ch.runPendingTasks();

            assertThat(response(ch)).startsWith("HTTP/1.1 403 Forbidden\r\n")
                    .contains("error=destination_ip_prohibited");
        }

        @Test
        void anEstablishedTunnelAnswers200StripsHttpAndRelaysEarlyBytes() {
            EmbeddedChannel ch = client(CONFIG);
            EmbeddedChannel upstream = track(new EmbeddedChannel());

            send(ch, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nEARLY");
            connector.succeed(upstream);
            ch.runPendingTasks();

            assertThat(response(ch)).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
            assertThat(ch.pipeline().toMap().keySet()).containsExactly("relay-idle", "relay");
            assertThat(text(upstream.readOutbound())).isEqualTo("EARLY");

            send(ch, "GET / HTTP/1.1\r\n\r\n");
            assertThat(text(upstream.readOutbound())).as("no HTTP parsing in a tunnel").isEqualTo("GET / HTTP/1.1\r\n\r\n");
            assertThat(metrics.scrape()).contains("sluice_http_requests_total{method=\"CONNECT\",protocol=\"http/1.1\",status=\"200\"} 1");
        }
    }

    @Nested
    class Forward {
        @Test
        void anAllowedHttpRequestIsHandedOnWithItsBody() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "POST http://Example.com:8080/submit?q=1 HTTP/1.1\r\nHost: example.com:8080\r\n"
                    + "Content-Length: 5\r\n\r\nhello");

            assertThat(forwarded.messages).hasSize(2);
            ForwardRequest request = (ForwardRequest) forwarded.messages.get(0);
            assertThat(request.host()).isEqualTo("example.com");
            assertThat(request.port()).isEqualTo(8080);
            assertThat(request.decision().action().yamlName()).isEqualTo("splice");
            assertThat(request.request().uri()).isEqualTo("http://Example.com:8080/submit?q=1");
            assertThat(forwarded.messages.get(1)).isInstanceOf(LastHttpContent.class);
            assertThat(((HttpContent) forwarded.messages.get(1)).content().toString(StandardCharsets.US_ASCII))
                    .isEqualTo("hello");
            assertThat(response(ch)).isEmpty();
        }

        @Test
        void thePortDefaultsTo80() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");

            assertThat(((ForwardRequest) forwarded.messages.get(0)).port()).isEqualTo(80);
        }

        @Test
        void aPipelinedRequestWaitsUntilTheResponseHasEnded() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://a.example/ HTTP/1.1\r\n\r\nGET http://b.example/ HTTP/1.1\r\n\r\n");
            assertThat(forwarded.messages).hasSize(2);

            forwarded.respond();
            ch.runPendingTasks();

            assertThat(forwarded.messages).hasSize(4);
            assertThat(((ForwardRequest) forwarded.messages.get(2)).host()).isEqualTo("b.example");
        }

        @Test
        void aDeniedHostGets403AndTheConnectionStaysOpen() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://ads.example.net/x HTTP/1.1\r\nHost: ads.example.net\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 403 Forbidden\r\n").doesNotContainIgnoringCase("close");
            assertThat(ch.isOpen()).isTrue();

            send(ch, "GET http://example.com/ HTTP/1.1\r\n\r\n");
            assertThat(forwarded.messages).first().isInstanceOf(ForwardRequest.class);
        }

        @Test
        void aDeniedRequestWithALargeBodyClosesTheConnection() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "POST http://ads.example.net/x HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 403 Forbidden\r\n").containsIgnoringCase("connection: close");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void anHttpsAbsoluteUriGets501PointingAtConnect() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 501 Not Implemented\r\n")
                    .contains("details=\"https:// requests are not forwarded: use CONNECT host:443\"");
            assertThat(ch.isOpen()).isTrue();
        }

        @Test
        void anotherSchemeGets501() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET ftp://example.com/file HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 501 Not Implemented\r\n").contains("scheme ftp");
        }

        @Test
        void anOriginFormRequestIsNotAProxyRequest() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("not a proxy request");
        }

        @Test
        void traceGets405WithAllow() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "TRACE http://example.com/ HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 405 Method Not Allowed\r\n")
                    .contains("allow: " + HttpFrontHandler.ALLOW);
        }

        @Test
        void anUnknownMethodGets501() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "BREW http://example.com/pot HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 501 Not Implemented\r\n").contains("method BREW");
            assertThat(metrics.scrape()).contains("sluice_http_requests_total{method=\"other\",protocol=\"http/1.1\",status=\"501\"} 1");
        }

        @Test
        void userinfoInTheUriGets400() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://user:pw@example.com/ HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("userinfo");
        }
    }

    /**
     * Request smuggling: a request whose body length two parsers could read differently is never handed on
     * (RFC 9112 §6.1, §6.3), and the connection it came on is closed, since where its body ends is unknowable.
     */
    @Nested
    class Framing {
        private static final String HEAD = "POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\n";

        @Test
        void contentLengthWithTransferEncodingGets400AndIsNeverForwarded() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, HEAD + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertRefused(ch, "HTTP/1.1 400 Bad Request\r\n", "bad_request");
        }

        @ParameterizedTest(name = "Transfer-Encoding: {0}")
        @ValueSource(strings = {"chunked, identity", "xchunked", "gzip", "chunked;q=1",
                "chunked\r\nTransfer-Encoding: chunked"})
        void aTransferEncodingNettyCannotFrameGets400(String codings) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, HEAD + "Transfer-Encoding: " + codings + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertRefused(ch, "HTTP/1.1 400 Bad Request\r\n", "bad_request");
        }

        @ParameterizedTest(name = "Transfer-Encoding: {0}")
        @ValueSource(strings = {"identity, chunked", "gzip, chunked"})
        void aTransferCodingBesidesChunkedGets501(String codings) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, HEAD + "Transfer-Encoding: " + codings + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertRefused(ch, "HTTP/1.1 501 Not Implemented\r\n", "not_implemented");
        }

        @Test
        void chunkedInAnyCaseIsForwarded() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, HEAD + "Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

            assertThat(forwarded.messages.get(0)).isInstanceOf(ForwardRequest.class);
            assertThat(response(ch)).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"Content-Length: 3\r\nContent-Length: 4", "Content-Length: 3, 4",
                "Content-Length: 3\r\nContent-Length: 3", "Content-Length: +3", "Content-Length: -1"})
        void aDuplicateOrOddContentLengthGets400(String lengths) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, HEAD + lengths + "\r\n\r\nabcd");

            assertRefused(ch, "HTTP/1.1 400 Bad Request\r\n", "bad_request");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"X-A : b", "X-A\t: b", "X A: b", "X-A"})
        void whitespaceInOrAfterAHeaderNameGets400(String field) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n" + field + "\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n");
            assertThat(forwarded.messages).isEmpty();
            assertThat(ch.isOpen()).isFalse();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"GET http://example.com/ HTTP/1.1\nHost: example.com\n\n",
                "GET http://example.com/ HTTP/1.1\r\nHost: example.com\nX-A: b\r\n\r\n"})
        void aBareLineFeedGets400(String request) {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, request);

            assertRefused(ch, "HTTP/1.1 400 Bad Request\r\n", "bad_request");
        }

        /**
         * RFC 9112 §5.2 lets a proxy either reject obs-fold or replace it with spaces before forwarding; Netty
         * does the latter, and Sluice writes the unfolded value on one line (see ForwardThroughSluiceTest).
         */
        @Test
        void aFoldedHeaderIsUnfoldedBeforeItIsHandedOn() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nX-A: one\r\n\ttwo\r\n\r\n");

            ForwardRequest request = (ForwardRequest) forwarded.messages.get(0);
            assertThat(request.request().headers().getAll("X-A")).containsExactly("one two");
        }

        private void assertRefused(EmbeddedChannel ch, String statusLine, String error) {
            assertThat(response(ch)).startsWith(statusLine).containsIgnoringCase("connection: close");
            assertThat(forwarded.messages).isEmpty();
            assertThat(ch.isOpen()).isFalse();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> assertThat(e.error()).isEqualTo(error));
        }
    }

    @Nested
    class MalformedInput {
        @Test
        void anHttp2PrefaceGets501AndIsClosed() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 501 Not Implemented\r\n").contains("HTTP/2");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void aTooLongRequestLineGets414() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/" + "a".repeat(400) + " HTTP/1.1\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 414 URI Too Long\r\n")
                    .contains("request line longer than 256 bytes");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void tooLargeHeadersGet431() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void garbageGets400() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "HELLO\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("malformed request");
            assertThat(ch.isOpen()).isFalse();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> {
                assertThat(e.method()).isNull();
                assertThat(e.error()).isEqualTo("bad_request");
            });
        }

        @Test
        void aRequestHeadThatNeverCompletesGets408() {
            EmbeddedChannel ch = client(CONFIG);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: exa");
            ch.advanceTimeBy(6, TimeUnit.SECONDS);
            ch.runPendingTasks();

            assertThat(response(ch)).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void anIdleKeepAliveConnectionIsClosedQuietly() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "GET /not-proxy HTTP/1.1\r\n\r\n");
            assertThat(response(ch)).startsWith("HTTP/1.1 400");

            ch.advanceTimeBy(61, TimeUnit.SECONDS);
            ch.runPendingTasks();

            assertThat(ch.isOpen()).isFalse();
            assertThat(response(ch)).isEmpty();
        }
    }

    @Nested
    class Authentication {
        @Test
        void aRequestWithoutCredentialsGets407WithAChallenge() {
            EmbeddedChannel ch = client(CONFIG + AUTH);

            send(ch, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n")
                    .contains("proxy-authenticate: Basic realm=")
                    .contains("error=http_request_denied");
            assertThat(ch.isOpen()).isTrue();
            assertThat(forwarded.messages).isEmpty();
        }

        @Test
        void aConnectWithAMalformedCredentialGets407AndIsClosed() {
            EmbeddedChannel ch = client(CONFIG + AUTH);

            send(ch, "CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: Bearer abc\r\n\r\n");

            assertThat(response(ch)).startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n");
            assertThat(ch.isOpen()).isFalse();
            assertThat(connector.calls).isEmpty();
            assertThat(accessLog.entries()).singleElement().satisfies(e -> assertThat(e.error()).isEqualTo("auth_required"));
        }
    }

    /** {@link Drain#EVENT}: Sluice is stopping. */
    @Nested
    class Draining {
        @Test
        void aConnectionIdleBetweenRequestsClosesAtOnce() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "GET http://a.example/ HTTP/1.1\r\n\r\n");
            forwarded.respond();
            ch.runPendingTasks();

            ch.pipeline().fireUserEventTriggered(Drain.EVENT);

            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void aConnectionInAnExchangeFinishesItSayingCloseThenCloses() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "GET http://a.example/ HTTP/1.1\r\n\r\n");

            ch.pipeline().fireUserEventTriggered(Drain.EVENT);
            assertThat(ch.isOpen()).as("the exchange under way goes on").isTrue();
            answerNoContent(ch);

            assertThat(response(ch)).startsWith("HTTP/1.1 204 No Content\r\n").containsIgnoringCase("connection: close");
            assertThat(ch.isOpen()).isFalse();
        }

        @Test
        void aConnectionPartWayThroughARequestHeadIsServedThatRequestSayingCloseThenCloses() {
            EmbeddedChannel ch = client(CONFIG);
            send(ch, "GET http://a.example/ HTTP/1.1\r\n\r\n");
            forwarded.respond();
            ch.runPendingTasks();
            send(ch, "GET http://a.example/next HTTP/1.1\r\nAccept: ");

            ch.pipeline().fireUserEventTriggered(Drain.EVENT);
            assertThat(ch.isOpen()).as("a request has begun: closing now would lose it").isTrue();
            send(ch, "*/*\r\n\r\n");
            answerNoContent(ch);

            assertThat(response(ch)).contains("HTTP/1.1 204 No Content\r\n").containsIgnoringCase("connection: close");
            assertThat(ch.isOpen()).isFalse();
        }

        /** The forwarder answers 204, leaving what reaches the client to be read. */
        private void answerNoContent(EmbeddedChannel ch) {
            forwarded.ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.NO_CONTENT));
            ch.runPendingTasks();
        }

        @Test
        void aNewConnectionThatSentNothingYetClosesAtOnce() {
            EmbeddedChannel ch = client(CONFIG);

            ch.pipeline().fireUserEventTriggered(Drain.EVENT);

            assertThat(ch.isOpen()).isFalse();
        }
    }

    private EmbeddedChannel client(String yaml) {
        SluiceConfig config;
        try {
            config = ConfigLoader.parse(yaml, "test.yaml");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        FrontServices services = new FrontServices(Policy.from(config), new ProxyAuthenticator(config.auth()),
                connector, metrics, accessLog, config.timeouts(), config.limits());
        return track(FrontDoorChannel.open(services, config, forwarded));
    }

    private EmbeddedChannel track(EmbeddedChannel ch) {
        channels.add(ch);
        return ch;
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
    }

    /** Everything Sluice wrote to the client so far, as text. */
    private static String response(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object msg = ch.readOutbound(); msg != null; msg = ch.readOutbound()) {
            out.append(text((ByteBuf) msg));
        }
        return out.toString();
    }

    private static String text(ByteBuf buf) {
        assertThat(buf).isNotNull();
        try {
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    /** Stands in for the forwarder: keeps what the front door hands on, and can end the response. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add(msg);
        }

        void respond() {
            ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultFullHttpResponse(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    io.netty.handler.codec.http.HttpResponseStatus.NO_CONTENT));
            ((EmbeddedChannel) ctx.channel()).outboundMessages().forEach(ReferenceCountUtil::release);
            ((EmbeddedChannel) ctx.channel()).outboundMessages().clear();
        }
    }

    /** Records connect calls; the test completes or fails the last one. */
    private static final class FakeConnector implements UpstreamConnector {
        final List<String> calls = new ArrayList<>();
        private Promise<Channel> pending;

        @Override
        public Future<Channel> connect(EventLoop loop, String host, int port, Decision decision,
                                       ChannelInitializer<Channel> initializer) {
            calls.add(host + ":" + port);
            pending = loop.newPromise();
            return pending;
        }

        void fail(Throwable cause) {
            pending.setFailure(cause);
        }

        void succeed(Channel upstream) {
            upstream.config().setAutoRead(false);
            pending.setSuccess(upstream);
        }
    }
}
