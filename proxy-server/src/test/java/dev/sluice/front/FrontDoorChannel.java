package dev.sluice.front;

import dev.sluice.config.SluiceConfig;
import dev.sluice.http1.DecoderLimits;
import dev.sluice.relay.ClientTimeouts;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The front door as a client connection's pipeline has it, on an EmbeddedChannel from 127.0.0.1, reads held. */
final class FrontDoorChannel {
    private FrontDoorChannel() {
    }

    /** @param forwarder stands in for the forwarder after the front door */
    static EmbeddedChannel open(FrontServices services, SluiceConfig config, ChannelHandler forwarder) {
        ClientTimeouts timeouts = new ClientTimeouts(config.timeouts().idleClient(), config.timeouts().requestHeader());
        EmbeddedChannel channel = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false, timeouts,
                new HttpServerCodec(DecoderLimits.requests(config.limits())), new HttpFrontHandler(services, timeouts),
                forwarder) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress("127.0.0.1", 50000);
            }
        };
        channel.config().setAutoRead(false);
        try {
            channel.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return channel;
    }
}
