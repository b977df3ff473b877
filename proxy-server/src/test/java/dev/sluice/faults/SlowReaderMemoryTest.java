package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.DirectMemorySampler;
import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.RawProxyConnection;
import dev.sluice.testing.ResourceBaseline;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A client reading at 1 MB/s from an origin that would send 1 GiB as fast as it can: Sluice reads the origin only
 * as fast as the client takes the bytes, so the direct memory it holds stays under a few MiB on every path, and the
 * origin is held back by TCP (or HTTP/2 flow control) instead. The full-size version takes 17 minutes; here the
 * client reads for a few seconds while Netty's direct memory is sampled throughout. The test JVM's origins and
 * clients use no Netty, so what the allocator holds is Sluice's. When the client goes, everything is returned.
 * Splice and forward go to 127.0.0.1; only {@code origin.test} is bumped.
 */
@Isolated("samples the JVM's Netty direct memory and counts its open file descriptors")
class SlowReaderMemoryTest {
    /** TCP paths: what Sluice holds is one read buffer and a write in flight per direction. */
    private static final long BOUND = 4L << 20;
    /**
     * A bumped HTTP/2 stream may hold up to its 1 MiB receive window of the origin's bytes inside Sluice (the window
     * is returned only when the client took them), in the pooled allocator's chunks beside TLS buffers both ways.
     */
    private static final long H2_BOUND = 8L << 20;
    private static final long RATE = 1_000_000;
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("slowReaderSeconds", 4));
    /** The h2 origin's body is held in its heap; the client reads a few MB of it, so 64 MiB is "endless" enough. */
    private static final int H2_BODY = 64 << 20;
    private static SluiceFixture sluice;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().tls().yaml("""
                rules:
                  - {name: bumped, match: {host: origin.test}, action: bump}
                """).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @Test
    void aSplicedTunnelHoldsLittleWhileTheClientReadsSlowly() throws Exception {
        ResourceBaseline baseline = ResourceBaseline.record();
        try (FaultyOrigin origin = FaultyOrigin.endless("")) {
            try (RawProxyConnection client = sluice.raw(); DirectMemorySampler sampler = new DirectMemorySampler()) {
                assertThat(Faults.connect(client, "127.0.0.1:" + origin.port()).status()).isEqualTo(200);
                client.send("go");
                readSlowly(client.in());
                report("splice", sampler, baseline, origin.pushed(), BOUND);
            }
            assertThat(origin.awaitProxyHungUp()).isTrue();
        }
        baseline.assertReturned();
    }

    @Test
    void aForwardedResponseHoldsLittleWhileTheClientReadsSlowly() throws Exception {
        ResourceBaseline baseline = ResourceBaseline.record();
        try (FaultyOrigin origin = FaultyOrigin.endless(FaultyOrigin.httpHead())) {
            try (RawProxyConnection client = sluice.raw(); DirectMemorySampler sampler = new DirectMemorySampler()) {
                String target = "http://127.0.0.1:" + origin.port() + "/slow";
                client.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(client.readResponseHead().status()).isEqualTo(200);
                readSlowly(client.in());
                report("forward", sampler, baseline, origin.pushed(), BOUND);
            }
            assertThat(origin.awaitProxyHungUp()).isTrue();
        }
        baseline.assertReturned();
    }

    @Test
    void aBumpedHttp2DownloadHoldsLittleWhileTheClientReadsSlowly() throws Exception {
        try (MockWebServer origin = TestOrigins.https(Protocol.HTTP_2, Protocol.HTTP_1_1)) {
            origin.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[H2_BODY])).build());
            ResourceBaseline baseline = ResourceBaseline.record();
            OkHttpClient client = sluice.okHttp();
            try (DirectMemorySampler sampler = new DirectMemorySampler();
                 Response response = client.newCall(new Request.Builder()
                         .url(TestOrigins.url("https", origin, "/slow")).build()).execute()) {
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                readSlowly(response.body().byteStream());
                report("bumped h2", sampler, baseline, -1, H2_BOUND);
            }
            client.connectionPool().evictAll();
            baseline.assertReturned();
        }
    }

    /** Reads at {@link #RATE} for {@link #WINDOW}. */
    private static void readSlowly(InputStream in) throws IOException, InterruptedException {
        byte[] buffer = new byte[64 * 1024];
        long started = System.nanoTime();
        long read = 0;
        while (System.nanoTime() - started < WINDOW.toNanos()) {
            int n = in.read(buffer);
            assertThat(n).as("the transfer goes on").isPositive();
            read += n;
            long due = started + read * 1_000_000_000L / RATE;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
    }

    private static void report(String path, DirectMemorySampler sampler, ResourceBaseline baseline, long pushed,
                               long bound) {
        long held = sampler.max() - baseline.direct();
        System.out.printf("slow reader, %s: Netty direct memory max %.2f MiB above the baseline (%.2f MiB)%s%n",
                path, held / 1048576.0, baseline.direct() / 1048576.0,
                pushed < 0 ? "" : String.format(", origin pushed %.1f MiB", pushed / 1048576.0));
        assertThat(held).as("direct memory Sluice held for a slow %s reader", path).isLessThan(bound);
    }
}
