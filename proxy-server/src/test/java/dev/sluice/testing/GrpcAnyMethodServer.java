package dev.sluice.testing;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A grpc-java TLS server on 127.0.0.1 that serves every unary method of every service (a fallback handler registry),
 * so a test can call as many distinct methods as it likes. What a call gets depends on its method's name:
 * <ul>
 *   <li>{@code Status*}: the request's UTF-8 text names a status code; it is answered with response headers first,
 *       then that status with {@link #STATUS_DESCRIPTION} in the trailers (never trailers-only)</li>
 *   <li>{@code Gzip*}: the request echoed, gzip-compressed</li>
 *   <li>{@code Hang*}: never answered ({@link #awaitHang})</li>
 *   <li>any other: the request echoed</li>
 * </ul>
 */
public final class GrpcAnyMethodServer implements AutoCloseable {
    /** Quotes, a newline, a percent sign and non-ASCII: grpc-java percent-encodes it into grpc-message. */
    public static final String STATUS_DESCRIPTION = "not here: \"quoted\" 100% s\u00fcre\n{\"forged\":true}";

    private final Server server;
    private final Semaphore hangs = new Semaphore(0);

    private GrpcAnyMethodServer() {
        try {
            server = GrpcEchoServer.tlsServer(UnaryOperator.identity()).fallbackHandlerRegistry(new AnyMethod()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GrpcAnyMethodServer start() {
        return new GrpcAnyMethodServer();
    }

    /** The unary byte-array method {@code service/method}, as a client calls it. */
    public static MethodDescriptor<byte[], byte[]> unary(String service, String method) {
        return GrpcEchoServer.method(service, method, MethodType.UNARY);
    }

    public int port() {
        return server.getPort();
    }

    /** Waits until one more {@code Hang*} call has reached the server. */
    public boolean awaitHang(Duration patience) throws InterruptedException {
        return hangs.tryAcquire(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        GrpcEchoServer.stop(server);
    }

    private final class AnyMethod extends HandlerRegistry {
        @Override
        public ServerMethodDefinition<?, ?> lookupMethod(String fullMethodName, String authority) {
            String service = MethodDescriptor.extractFullServiceName(fullMethodName);
            String method = fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1);
            return ServerMethodDefinition.create(unary(service, method), new Unary(method));
        }
    }

    /** One request in, then the answer its method's name asks for. */
    private final class Unary implements ServerCallHandler<byte[], byte[]> {
        private final String method;

        Unary(String method) {
            this.method = method;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
            call.request(2);
            return new ServerCall.Listener<>() {
                private byte[] request;

                @Override
                public void onMessage(byte[] message) {
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    if (method.startsWith("Hang")) {
                        hangs.release();
                        return;
                    }
                    if (method.startsWith("Gzip")) {
                        call.setCompression("gzip");
                    }
                    call.sendHeaders(new Metadata());
                    if (method.startsWith("Status")) {
                        Status.Code code = Status.Code.valueOf(new String(request, StandardCharsets.UTF_8));
                        call.close(Status.fromCode(code).withDescription(STATUS_DESCRIPTION), new Metadata());
                        return;
                    }
                    call.sendMessage(request);
                    call.close(Status.OK, new Metadata());
                }
            };
        }
    }
}
