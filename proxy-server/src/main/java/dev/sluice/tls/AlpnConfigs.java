package dev.sluice.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import java.util.List;

/** ALPN as a bump mirrors it: offer exactly the given protocols, or no ALPN extension at all for none. */
final class AlpnConfigs {
    private AlpnConfigs() {
    }

    /**
     * Both behaviours are the lenient ones both providers support: a peer that picks nothing from the list is
     * neither refused nor overruled, so "no ALPN" stays "no ALPN" on the other leg.
     */
    static ApplicationProtocolConfig offering(List<String> protocols) {
        if (protocols.isEmpty()) {
            return ApplicationProtocolConfig.DISABLED;
        }
        return new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                SelectedListenerFailureBehavior.ACCEPT, protocols);
    }
}
