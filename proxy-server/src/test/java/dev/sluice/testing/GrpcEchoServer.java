package dev.sluice.testing;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A grpc-java TLS server on 127.0.0.1 with hand-written byte-array methods (no protoc): {@link #ECHO} (unary),
 * {@link #COUNT} (server streaming: a 4-byte count in, that many 4-byte indexes out), {@link #PING_PONG} (bidi:
 * each message echoed), {@link #TALLY} (client streaming: answers how many messages came), {@link #HANG} (never
 * answers; the server notes when the call is cancelled) and {@link #FAIL} (answers the status named by the request's
 * UTF-8 text, described as {@link #FAIL_DESCRIPTION}, with {@link #DETAIL} and {@link #DETAIL_BIN} in its trailers).
 * It counts the calls that reach it ({@link #calls}).
 */
public final class GrpcEchoServer implements AutoCloseable {
    public static final String SERVICE = "sluice.test.Echo";
    /** Both ends accept 16 MiB messages with room for framing. */
    public static final int MAX_MESSAGE_BYTES = 32 << 20;

    public static final MethodDescriptor<byte[], byte[]> ECHO = method("Echo", MethodType.UNARY);
    public static final MethodDescriptor<byte[], byte[]> COUNT = method("Count", MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> PING_PONG = method("PingPong", MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodType.UNARY);
    public static final MethodDescriptor<byte[], byte[]> TALLY = method("Tally", MethodType.CLIENT_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> HANG = method("Hang", MethodType.UNARY);
    /** Not ASCII, so that gRPC must percent-encode it in the grpc-message trailer. */
    public static final String FAIL_DESCRIPTION = "asked to fail: \u00fcn\u00efcode";
    /** Custom trailing metadata {@link #FAIL} sends: the request's text, and {@link #detailBin} of its bytes. */
    public static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-sluice-detail", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<byte[]> DETAIL_BIN = Metadata.Key.of("x-sluice-detail-bin", Metadata.BINARY_BYTE_MARSHALLER);

    private final Server server;
    private final Semaphore hangs;
    private final Semaphore cancellations;
    private final CallCounter calls;

    private GrpcEchoServer(Server server, Semaphore hangs, Semaphore cancellations, CallCounter calls) {
        this.server = server;
        this.hangs = hangs;
        this.cancellations = cancellations;
        this.calls = calls;
    }

    public static GrpcEchoServer start() {
        return start(tlsServer(UnaryOperator.identity()));
    }

    /** The same service, requiring a client certificate issued by {@code clientCa} (mutual TLS). */
    public static GrpcEchoServer startRequiringClientCertificates(X509Certificate clientCa) {
        return start(tlsServer(tls -> tls.trustManager(clientCa).clientAuth(ClientAuth.REQUIRE)));
    }

    /**
     * A grpc-java server builder on an ephemeral 127.0.0.1 port, presenting the test PKI's origin certificate, with
     * its TLS settings adjusted by {@code settings}.
     */
    static NettyServerBuilder tlsServer(UnaryOperator<SslContextBuilder> settings) {
        TestPki pki = TestPki.get();
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .sslContext(settings.apply(GrpcSslContexts.configure(SslContextBuilder.forServer(
                            pki.server().keyPair().getPrivate(), pki.server().certificate(), pki.caCertificate())))
                            .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same service in cleartext (prior-knowledge h2). */
    public static GrpcEchoServer startPlaintext() {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    }

    private static GrpcEchoServer start(NettyServerBuilder builder) {
        Semaphore hangs = new Semaphore(0);
        Semaphore cancellations = new Semaphore(0);
        CallCounter calls = new CallCounter();
        try {
            return new GrpcEchoServer(builder.maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .addService(ServerInterceptors.intercept(service(hangs, cancellations), calls)).build().start(),
                    hangs, cancellations, calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Waits until one more {@link #HANG} call has reached the server. */
    public boolean awaitHang(Duration patience) throws InterruptedException {
        return hangs.tryAcquire(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until the server has seen one more call cancelled (by the client, a deadline, or a reset). */
    public boolean awaitCancellation(Duration patience) throws InterruptedException {
        return cancellations.tryAcquire(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Calls of {@code method} that reached the server so far. */
    public int calls(MethodDescriptor<?, ?> method) {
        return calls.of(method.getFullMethodName());
    }

    public static byte[] intMessage(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    public static int intOf(byte[] message) {
        return ByteBuffer.wrap(message).getInt();
    }

    @Override
    public void close() {
        stop(server);
    }

    /** Stops a test server at once and waits a little for it. */
    static void stop(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerServiceDefinition service(Semaphore hangs, Semaphore cancellations) {
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
                    String text = new String(request, StandardCharsets.UTF_8);
                    Metadata trailers = new Metadata();
                    trailers.put(DETAIL, text);
                    trailers.put(DETAIL_BIN, detailBin(request));
                    response.onError(Status.fromCode(Status.Code.valueOf(text)).withDescription(FAIL_DESCRIPTION)
                            .asRuntimeException(trailers));
                }))
                .addMethod(TALLY, ServerCalls.asyncClientStreamingCall(response -> new StreamObserver<byte[]>() {
                    private int count;

                    @Override
                    public void onNext(byte[] message) {
                        count++;
                    }

                    @Override
                    public void onError(Throwable t) {
                        // the client went away; nothing to answer
                    }

                    @Override
                    public void onCompleted() {
                        response.onNext(intMessage(count));
                        response.onCompleted();
                    }
                }))
                .addMethod(HANG, ServerCalls.asyncUnaryCall((request, response) -> {
                    ((ServerCallStreamObserver<byte[]>) response).setOnCancelHandler(cancellations::release);
                    hangs.release();
                }))
                .build();
    }

    /** The {@link #DETAIL_BIN} trailer for a {@link #FAIL} request: its bytes reversed, then 0x00 and 0xff. */
    private static byte[] detailBin(byte[] request) {
        byte[] out = new byte[request.length + 2];
        for (int i = 0; i < request.length; i++) {
            out[i] = request[request.length - 1 - i];
        }
        out[request.length + 1] = (byte) 0xff;
        return out;
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodType type) {
        return method(SERVICE, name, type);
    }

    /** A byte-array method of any service. */
    public static MethodDescriptor<byte[], byte[]> method(String service, String name, MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(BytesMarshaller.INSTANCE)
                .setResponseMarshaller(BytesMarshaller.INSTANCE)
                .build();
    }

    /** Counts the calls that reach the server, by full method name. */
    private static final class CallCounter implements ServerInterceptor {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        int of(String fullMethodName) {
            AtomicInteger count = counts.get(fullMethodName);
            return count == null ? 0 : count.get();
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            counts.computeIfAbsent(call.getMethodDescriptor().getFullMethodName(), name -> new AtomicInteger())
                    .incrementAndGet();
            return next.startCall(call, headers);
        }
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
