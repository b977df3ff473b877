package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.observe.AccessLog;
import dev.sluice.testing.LoopbackSluice;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.SocketOrigin;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request smuggling between the HTTP/1.1 front door and the origin, byte for byte through a real listener: what
 * the origin receives is always one canonical request (CRLF lines, one framing header, no folded lines), and a
 * request whose lines or body two parsers could delimit differently never reaches it, while Sluice keeps serving.
 */
@Timeout(60)
class RequestSmugglingTest {
    /** Each request head (and chunked body, when there is one) the origin read, as raw text. */
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private SocketOrigin origin;
    private SluiceServer sluice;
    private String base;

    @BeforeEach
    void start() throws Exception {
        origin = new SocketOrigin((index, connection) -> {
            for (String head = connection.readHead(); head != null; head = connection.readHead()) {
                boolean chunked = head.toLowerCase().contains("\r\ntransfer-encoding: chunked\r\n");
                received.add(chunked ? head + connection.readHead() : head);
                connection.respond("ok");
            }
        });
        base = "http://origin.test:" + origin.port();
        sluice = LoopbackSluice.start("", AccessLog.DISABLED);
    }

    @AfterEach
    void stop() throws Exception {
        sluice.close();
        sluice.metrics().close();
        origin.close();
    }

    /** Netty may read bare LF as a line end where an origin would not; Sluice states the strict reading. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET %s/lf HTTP/1.1\nHost: origin.test\n\n",
            "GET %s/lf HTTP/1.1\r\nHost: origin.test\nX-A: b\r\n\r\n",
            "POST %s/lf HTTP/1.1\r\nHost: origin.test\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n"})
    void aBareLineFeedGets400AndNeverReachesTheOrigin(String request) throws Exception {
        try (Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, request.formatted(base));
            InputStream in = client.getInputStream();

            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 400").containsIgnoringCase("connection: close");
        }

        assertTheNextRequestIsTheOnlyOneServed();
    }

    @Test
    void aFoldedHeaderReachesTheOriginOnOneLine() throws Exception {
        String response = exchange("GET " + base + "/fold HTTP/1.1\r\nHost: origin.test\r\nX-A: one\r\n two\r\n"
                + "\tthree\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200");
        String head = take();
        assertThat(head).contains("\r\nX-A: one two three\r\n").doesNotContain("\r\n ").doesNotContain("\r\n\t");
        assertThat(head.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void aChunkedRequestReachesTheOriginWithOneFramingHeader() throws Exception {
        String response = exchange("POST " + base + "/chunked HTTP/1.1\r\nHost: origin.test\r\n"
                + "Transfer-Encoding: Chunked\r\nConnection: Content-Length\r\n\r\n3\r\nabc\r\n0\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200");
        String head = take().toLowerCase();
        assertThat(head).contains("\r\ntransfer-encoding: chunked\r\n").doesNotContain("content-length")
                .endsWith("3\r\nabc\r\n0\r\n\r\n");
    }

    /** Each hides a second request in what one parser reads as body and another as the next request. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "400|Content-Length: 30\r\nTransfer-Encoding: chunked",
            "400|Transfer-Encoding: chunked\r\nContent-Length: 30",
            "400|Transfer-Encoding: xchunked",
            "400|Transfer-Encoding: chunked, identity",
            "400|Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
            "400|Content-Length: 0\r\nContent-Length: 30",
            "400|Content-Length : 30",
            "400|Transfer-Encoding : chunked",
            "501|Transfer-Encoding: gzip, chunked",
            "501|Transfer-Encoding: identity, chunked"})
    void anAmbiguouslyFramedRequestNeverReachesTheOrigin(String statusAndFraming) throws Exception {
        String[] parts = statusAndFraming.split("\\|", 2);
        String smuggled = "GET " + base + "/smuggled HTTP/1.1\r\nHost: origin.test\r\n\r\n";

        try (Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, "POST " + base + "/front HTTP/1.1\r\nHost: origin.test\r\n" + parts[1] + "\r\n\r\n"
                    + "0\r\n\r\n" + smuggled);
            InputStream in = client.getInputStream();

            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 " + parts[0])
                    .containsIgnoringCase("connection: close");
            assertThat(in.read()).as("the connection is closed after the answer").isEqualTo(-1);
        }

        assertTheNextRequestIsTheOnlyOneServed();
    }

    /**
     * Response splitting, the other way round: an origin whose response two parsers could delimit differently gets
     * the client a 502, never that response nor the one hidden behind it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Length: 5\r\nTransfer-Encoding: chunked",
            "Content-Length: 0\r\nContent-Length: 5", "X-Bare: lf\n"})
    void anAmbiguouslyFramedResponseGetsTheClientA502(String framing) throws Exception {
        String hidden = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhidden";
        try (SocketOrigin splitting = new SocketOrigin((index, connection) -> {
            connection.readHead();
            connection.send("HTTP/1.1 200 OK\r\n" + framing + "\r\n\r\n0\r\n\r\n" + hidden);
            connection.awaitClosedByProxy();
        })) {
            String response = exchange("GET http://origin.test:" + splitting.port() + "/split HTTP/1.1\r\n"
                    + "Host: origin.test\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 502").doesNotContain("hidden");
        }

        assertTheNextRequestIsTheOnlyOneServed();
    }

    private void assertTheNextRequestIsTheOnlyOneServed() throws Exception {
        assertThat(exchange("GET " + base + "/next HTTP/1.1\r\nHost: origin.test\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(take()).startsWith("GET /next ");
        assertThat(received).isEmpty();
    }

    private String exchange(String request) throws Exception {
        try (Socket client = RawHttp.open(sluice.proxyAddress())) {
            RawHttp.send(client, request);
            return RawHttp.readResponse(client.getInputStream());
        }
    }

    private String take() throws InterruptedException {
        String head = received.poll(SluiceFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(head).as("a request at the origin").isNotNull();
        return head;
    }
}
