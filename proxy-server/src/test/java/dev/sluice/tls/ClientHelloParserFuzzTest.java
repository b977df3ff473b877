package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.tls.ClientHelloResult.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Any first flight gets exactly one verdict from the parser, the same however the bytes arrive, and
 * {@link ClientHelloPeek} reports the verdict the parser gives with every byte it read kept and nothing leaked.
 * Seeds: real JDK and BoringSSL ClientHellos, one split across records, plain HTTP and TLS-looking garbage.
 */
class ClientHelloParserFuzzTest {
    private static final ClientHelloParser PARSER = new ClientHelloParser();

    @FuzzTest
    void anyFirstFlightGetsOneStableVerdict(byte[] flight) {
        ClientHelloResult whole = parse(flight, 0);

        // Bytes before the reader index are none of the parser's business, and it reads nothing past the writer
        // index: the buffer ends exactly there, so a stray read would throw.
        assertThat(parse(flight, 7)).isEqualTo(whole);
        assertResultIsWellFormed(whole);
        // A verdict given on a prefix never changes as more bytes arrive: the peek stops reading at the first one.
        for (int cut : cuts(flight.length)) {
            ClientHelloResult early = parse(Arrays.copyOf(flight, cut), 0);
            if (early.kind() != Kind.NEED_MORE) {
                assertThat(whole).as("verdict on the first %d bytes", cut).isEqualTo(early);
            }
        }
        assertPeekAgrees(flight, flight.length / 2);
    }

    private static ClientHelloResult parse(byte[] flight, int offset) {
        byte[] padded = new byte[offset + flight.length];
        Arrays.fill(padded, 0, offset, (byte) 22);
        System.arraycopy(flight, 0, padded, offset, flight.length);
        ByteBuf buf = Unpooled.wrappedBuffer(padded).readerIndex(offset);
        ClientHelloResult result = PARSER.parse(buf);
        assertThat(buf.readerIndex()).isEqualTo(offset);
        assertThat(buf.writerIndex()).isEqualTo(padded.length);
        return result;
    }

    private static void assertResultIsWellFormed(ClientHelloResult result) {
        assertThat(result.clientHello() != null).isEqualTo(result.kind() == Kind.PARSED);
        assertThat(result.reason() != null).isEqualTo(result.kind() == Kind.MALFORMED || result.kind() == Kind.TOO_LARGE);
        if (result.clientHello() != null && result.clientHello().serverName() != null) {
            String name = result.clientHello().serverName();
            assertThat(name).isEqualTo(name.toLowerCase(java.util.Locale.ROOT)).isNotEmpty();
        }
    }

    private static int[] cuts(int length) {
        return new int[] {length / 4, length / 2, length * 3 / 4, Math.max(0, length - 1)};
    }

    /** Feeds the flight to a peek in two reads and checks it answers as the parser does on what it was given. */
    private static void assertPeekAgrees(byte[] flight, int split) {
        List<ClientHelloResult> verdicts = new ArrayList<>();
        List<byte[]> kept = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new ClientHelloPeek(new ArrayList<>(), (result, bytes) -> {
            verdicts.add(result);
            kept.add(ByteBufUtil.getBytes(bytes));
            bytes.release();
        }));
        ByteBuf first = channel.alloc().buffer().writeBytes(flight, 0, split);
        ByteBuf second = channel.alloc().buffer().writeBytes(flight, split, flight.length - split);
        channel.writeInbound(first);
        channel.writeInbound(second);
        channel.finishAndReleaseAll();

        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        ClientHelloResult expected = expectedPeekVerdict(flight, split);
        assertThat(verdicts).singleElement().satisfies(verdict -> {
            assertThat(verdict.kind()).isEqualTo(expected.kind());
            assertThat(verdict.clientHello()).isEqualTo(expected.clientHello());
        });
        byte[] read = verdictAfterFirstRead(flight, split) ? Arrays.copyOf(flight, split) : flight;
        assertThat(kept.get(0)).isEqualTo(read);
    }

    private static boolean verdictAfterFirstRead(byte[] flight, int split) {
        return split > 0 && peekVerdict(Arrays.copyOf(flight, split)) != null;
    }

    private static ClientHelloResult expectedPeekVerdict(byte[] flight, int split) {
        ClientHelloResult first = split > 0 ? peekVerdict(Arrays.copyOf(flight, split)) : null;
        if (first != null) {
            return first;
        }
        ClientHelloResult all = peekVerdict(flight);
        // The client closed before a verdict: the peek reports what it has as NEED_MORE.
        return all != null ? all : ClientHelloResult.NEED_MORE;
    }

    /** What the peek decides once it holds {@code bytes}, or null while it would read on. */
    private static ClientHelloResult peekVerdict(byte[] bytes) {
        ClientHelloResult result = parse(bytes, 0);
        if (result.kind() != Kind.NEED_MORE) {
            return result;
        }
        return bytes.length > ClientHelloPeek.MAX_FLIGHT_BYTES ? ClientHelloResult.tooLarge("bound") : null;
    }
}
