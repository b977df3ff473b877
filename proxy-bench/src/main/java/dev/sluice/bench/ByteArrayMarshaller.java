package dev.sluice.bench;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** gRPC messages as plain byte arrays: no protobuf, no generated code. */
final class ByteArrayMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    static final ByteArrayMarshaller INSTANCE = new ByteArrayMarshaller();

    private ByteArrayMarshaller() {
    }

    @Override
    public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try (stream) {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
