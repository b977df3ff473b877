package dev.sluice.testing;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java TLS server on 127.0.0.1 with hand-written byte-array methods (no protoc): {@link #ECHO} (unary),
 * {@link #COUNT} (server streaming: a 4-byte count in, that many 4-byte indexes out), {@link #PING_PONG} (bidi:
 * each message echoed) and {@link #FAIL} (answers the status named by the request's UTF-8 text).
 */
public final class GrpcEchoServer implements AutoCloseable {
    public static final String SERVICE = "sluice.test.Echo";
    /** Both ends accept 16 MiB messages with room for framing. */
    public static final int MAX_MESSAGE_BYTES = 32 << 20;

    public static final MethodDescriptor<byte[], byte[]> ECHO =
            method(SERVICE, "Echo", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<byte[], byte[]> COUNT =
            method(SERVICE, "Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> PING_PONG =
            method(SERVICE, "PingPong", MethodDescriptor.MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> FAIL =
            method(SERVICE, "Fail", MethodDescriptor.MethodType.UNARY);

    private final Server server;

    private GrpcEchoServer(Server server) {
        this.server = server;
    }

    public static GrpcEchoServer start() {
        TestPki pki = TestPki.get();
        try {
            return start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(
                            pki.server().keyPair().getPrivate(), pki.server().certificate(), pki.caCertificate()))
                            .build()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same service in cleartext (prior-knowledge h2), with any further services a test defines. */
    public static GrpcEchoServer startPlaintext(ServerServiceDefinition... moreServices) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        for (ServerServiceDefinition service : moreServices) {
            builder.addService(service);
        }
        return start(builder);
    }

    private static GrpcEchoServer start(NettyServerBuilder builder) {
        try {
            return new GrpcEchoServer(builder.maxInboundMessageSize(MAX_MESSAGE_BYTES).addService(service()).build()
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public static byte[] intMessage(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    public static int intOf(byte[] message) {
        return ByteBuffer.wrap(message).getInt();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    int count = intOf(request);
                    for (int i = 0; i < count; i++) response.onNext(intMessage(i));
                    response.onCompleted();
                }))
                .addMethod(PING_PONG, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] message) {
                        response.onNext(message);
                    }

                    @Override
                    public void onError(Throwable t) {
                        // the client went away; nothing to answer
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) -> {
                    Status.Code code = Status.Code.valueOf(new String(request, java.nio.charset.StandardCharsets.UTF_8));
                    response.onError(Status.fromCode(code).withDescription("asked to fail").asRuntimeException());
                }))
                .build();
    }

    /** A byte-array method of {@code service}, for tests that serve methods of their own. */
    public static MethodDescriptor<byte[], byte[]> method(String service, String name,
                                                          MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(BytesMarshaller.INSTANCE)
                .setResponseMarshaller(BytesMarshaller.INSTANCE)
                .build();
    }

    /** Messages are the raw bytes; gRPC's framing is all the tests need. */
    private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
