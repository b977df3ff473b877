package dev.sluice.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Real first flights, captured from TLS stacks at test time. */
final class ClientHelloFixtures {
    private ClientHelloFixtures() {
    }

    static byte[] jdkClientHello(String serverName, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, null, null);
        SSLEngine engine = serverName == null ? context.createSSLEngine() : context.createSSLEngine(serverName, 443);
        return firstFlight(engine, alpn);
    }

    static byte[] jdkTls12ClientHello() throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.2");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("api.example.com", 443);
        engine.setEnabledProtocols(new String[] {"TLSv1.2"});
        return firstFlight(engine, "h2", "http/1.1");
    }

    static byte[] nettyClientHello(SslProvider provider) throws Exception {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(provider)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, "h2", "http/1.1"))
                .build();
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "api.example.com", 443);
        try {
            return wrapOnce(engine);
        } finally {
            ReferenceCountUtil.release(engine);
            ReferenceCountUtil.release(context);
        }
    }

    private static byte[] firstFlight(SSLEngine engine, String... alpn) throws Exception {
        engine.setUseClientMode(true);
        if (alpn.length > 0) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(alpn);
            engine.setSSLParameters(parameters);
        }
        return wrapOnce(engine);
    }

    private static byte[] wrapOnce(SSLEngine engine) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        engine.closeOutbound();
        out.flip();
        byte[] flight = new byte[out.remaining()];
        out.get(flight);
        return flight;
    }
}
