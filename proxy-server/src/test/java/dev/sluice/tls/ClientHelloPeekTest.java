package dev.sluice.tls;

import static dev.sluice.tls.ClientHelloFixtures.jdkClientHello;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.tls.ClientHelloResult.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientHelloPeekTest {
    private final List<ClientHelloResult> verdicts = new ArrayList<>();
    private final List<byte[]> flights = new ArrayList<>();
    private int reads;
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void reportsTheClientHelloOnceItsLastByteArrivesWithEveryByteKept() throws Exception {
        byte[] hello = jdkClientHello("api.example.com", "grpc-exp", "h2");
        peek();
        assertThat(reads).as("asks for the first read").isEqualTo(1);

        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(hello, 100)));
        assertThat(verdicts).isEmpty();
        assertThat(reads).as("asks for one more read at a time").isEqualTo(2);

        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, 100, hello.length)));

        assertThat(verdicts).singleElement().satisfies(result -> {
            assertThat(result.kind()).isEqualTo(Kind.PARSED);
            assertThat(result.clientHello().serverName()).isEqualTo("api.example.com");
            assertThat(result.clientHello().alpnProtocols()).containsExactly("grpc-exp", "h2");
        });
        assertThat(flights.get(0)).isEqualTo(hello);
        assertThat(reads).as("nothing read past the verdict").isEqualTo(2);
    }

    @Test
    void bytesTheFrontDoorAlreadyReadComeFirstAndMayNeedNoReadAtAll() throws Exception {
        byte[] hello = jdkClientHello("api.example.com");

        peek(Unpooled.wrappedBuffer(hello));

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.PARSED);
        assertThat(flights.get(0)).isEqualTo(hello);
        assertThat(reads).isZero();
    }

    @Test
    void earlyBytesAndLaterReadsMakeOneFlight() throws Exception {
        byte[] hello = jdkClientHello(null);
        peek(Unpooled.wrappedBuffer(Arrays.copyOf(hello, 3)));

        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(hello, 3, hello.length)));

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.PARSED);
        assertThat(flights.get(0)).isEqualTo(hello);
    }

    @Test
    void plainHttpIsNotTlsAndIsKeptForAReplay() {
        peek();
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        channel.writeInbound(Unpooled.wrappedBuffer(request));

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.NOT_TLS);
        assertThat(flights.get(0)).isEqualTo(request);
    }

    @Test
    void aMalformedClientHelloIsReportedWithItsReason() {
        peek();

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1, 0, 0}));

        assertThat(verdicts).singleElement().satisfies(result -> {
            assertThat(result.kind()).isEqualTo(Kind.MALFORMED);
            assertThat(result.reason()).isEqualTo("empty handshake record");
        });
    }

    @Test
    void aFlightOfTinyRecordsPastTheBoundIsTooLarge() {
        peek();
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        records.writeBytes(new byte[] {22, 3, 1, 0, 4, 1, 0, 0x3f, 0}); // a ClientHello header claiming ~16 KiB
        while (records.size() <= ClientHelloPeek.MAX_FLIGHT_BYTES) {
            records.writeBytes(new byte[] {22, 3, 1, 0, 1, 0});
        }

        channel.writeInbound(Unpooled.wrappedBuffer(records.toByteArray()));

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.TOO_LARGE);
    }

    @Test
    void aClientThatHalfClosesMidHelloEndsThePeekWithoutAVerdict() throws Exception {
        peek();
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(jdkClientHello("api.example.com"), 10)));

        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.NEED_MORE);
        assertThat(flights.get(0)).hasSize(10);
    }

    @Test
    void aClientThatDisconnectsMidHelloEndsThePeekOnce() throws Exception {
        peek();
        channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(jdkClientHello("api.example.com"), 10)));

        channel.close();

        assertThat(verdicts).singleElement().extracting(ClientHelloResult::kind).isEqualTo(Kind.NEED_MORE);
    }

    @Test
    void removedBeforeAVerdictItReleasesWhatItHeld() throws Exception {
        ByteBuf early = Unpooled.directBuffer().writeBytes(new byte[] {22, 3});
        peek(early);
        channel.writeInbound(Unpooled.directBuffer().writeBytes(new byte[] {1}));

        channel.pipeline().remove(ClientHelloPeek.class);

        assertThat(verdicts).isEmpty();
        assertThat(early.refCnt()).isZero();
    }

    private void peek(ByteBuf... early) {
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads++;
                ctx.read();
            }
        });
        channel.pipeline().addLast(new ClientHelloPeek(new ArrayList<>(List.of(early)), (result, flight) -> {
            verdicts.add(result);
            flights.add(ByteBufUtil.getBytes(flight));
            flight.release();
        }));
    }
}
