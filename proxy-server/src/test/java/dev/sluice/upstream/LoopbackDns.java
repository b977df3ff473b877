package dev.sluice.upstream;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny DNS server on 127.0.0.1 so resolver tests never ask a real name server: answers A queries for its
 * names, an empty NOERROR for other types of them, NXDOMAIN for anything else; or, when silent, nothing at all.
 */
final class LoopbackDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<String, InetAddress> names;
    private final boolean silent;
    final AtomicInteger queries = new AtomicInteger();

    LoopbackDns(Map<String, InetAddress> names, boolean silent) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.names = names;
        this.silent = silent;
        Thread thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                if (!silent) {
                    byte[] reply = answer(Arrays.copyOf(packet.getData(), packet.getLength()));
                    socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private byte[] answer(byte[] query) {
        int pos = 12;
        StringBuilder name = new StringBuilder();
        while (query[pos] != 0) {
            int len = query[pos];
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(query, pos + 1, len, StandardCharsets.US_ASCII));
            pos += len + 1;
        }
        int questionEnd = pos + 5;
        int type = ((query[pos + 1] & 0xff) << 8) | (query[pos + 2] & 0xff);
        InetAddress address = names.get(name.toString().toLowerCase());
        boolean withRecord = address != null && type == 1;
        ByteBuffer out = ByteBuffer.allocate(questionEnd + (withRecord ? 16 : 0));
        out.put(query, 0, 2);                                       // id
        out.put((byte) (0x80 | (query[2] & 0x01)));                // QR, RD copied
        out.put((byte) (address == null ? 0x83 : 0x80));            // RA, NXDOMAIN or NOERROR
        out.putShort((short) 1).putShort((short) (withRecord ? 1 : 0)).putShort((short) 0).putShort((short) 0);
        out.put(query, 12, questionEnd - 12);
        if (withRecord) {
            out.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(60).putShort((short) 4);
            out.put(address.getAddress());
        }
        return out.array();
    }

    @Override
    public void close() {
        socket.close();
    }
}
