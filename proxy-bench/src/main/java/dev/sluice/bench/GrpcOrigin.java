package dev.sluice.bench;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java TLS server on 127.0.0.1 with a unary method, {@link #ECHO}, that answers each message with itself, and
 * a bidi streaming one, {@link #ECHO_STREAM}, that answers each message of a stream with itself and ends the stream
 * when the client does. Calls run on the transport's threads (direct executor): the echo does no work worth a thread
 * hop.
 */
final class GrpcOrigin implements AutoCloseable {
    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("sluice.bench.Echo", "Echo"))
            .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
            .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
            .build();
    static final MethodDescriptor<byte[], byte[]> ECHO_STREAM = ECHO.toBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("sluice.bench.Echo", "EchoStream"))
            .build();

    private final Server server;

    GrpcOrigin(BenchPki pki) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(pki.originKey(), pki.originChain()))
                        .build())
                .directExecutor()
                .addService(ServerServiceDefinition.builder("sluice.bench.Echo")
                        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(request);
                            response.onCompleted();
                        }))
                        .addMethod(ECHO_STREAM, GrpcOrigin::echoStream)
                        .build())
                .build()
                .start();
    }

    /** One echoing stream: each message goes straight back, one at a time; the client's end ends it with OK. */
    private static ServerCall.Listener<byte[]> echoStream(ServerCall<byte[], byte[]> call, Metadata headers) {
        call.sendHeaders(new Metadata());
        call.request(1);
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                call.sendMessage(message);
                call.request(1);
            }

            @Override
            public void onHalfClose() {
                call.close(Status.OK, new Metadata());
            }
        };
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getPort());
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }
}
