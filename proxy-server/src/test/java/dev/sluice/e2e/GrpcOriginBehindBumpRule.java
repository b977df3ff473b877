package dev.sluice.e2e;

import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcChannels;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import io.grpc.ManagedChannel;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A grpc-java origin behind a Sluice whose rule {@value #RULE} bumps {@code origin.test}, each test starting its own
 * Sluice; the automatic passthrough tests build on it. Their calls each get a fresh channel: one call, one connection.
 */
abstract class GrpcOriginBehindBumpRule {
    static final String RULE = "bump-origin";

    GrpcEchoServer origin;
    SluiceFixture sluice;

    abstract GrpcEchoServer startOrigin();

    @BeforeEach
    void start() {
        origin = startOrigin();
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        origin.close();
    }

    /**
     * @param tlsLine  a line under {@code tls:}, e.g. {@code provider: jdk}
     * @param ruleLine a line under the rule, e.g. {@code autoPassthrough: false}
     * @param topLevel top-level YAML, e.g. {@code passthrough: {...}}
     */
    void startSluice(String tlsLine, String ruleLine, String topLevel) {
        sluice = SluiceFixture.builder().tls(tlsLine).yaml("""
                rules:
                  - name: %s
                    match: {host: origin.test}
                    action: bump
                    %s
                %s
                """.formatted(RULE, ruleLine, topLevel)).start();
    }

    /**
     * As {@link #startSluice}, with a call rule {@code no-fail} after the bump rule that denies what {@code match}
     * matches.
     */
    void startSluiceWithDenyCallRule(String match, String topLevel) {
        sluice = SluiceFixture.builder().tls().yaml("""
                rules:
                  - name: %s
                    match: {host: origin.test}
                    action: bump
                  - name: no-fail
                    match: %s
                    action: deny
                %s
                """.formatted(RULE, match, topLevel)).start();
    }

    /** One connection that works, on a channel closed afterwards: the certificate the client was shown. */
    static X509Certificate callSeeingPeer(ManagedChannel channel) throws Exception {
        try {
            return GrpcCalls.echoShowsPeer(channel);
        } finally {
            GrpcChannels.close(channel);
        }
    }
}
