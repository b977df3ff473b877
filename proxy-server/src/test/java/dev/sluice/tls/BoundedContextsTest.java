package dev.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class BoundedContextsTest {
    private final AtomicInteger builds = new AtomicInteger();

    @Test
    void aContextIsBuiltOncePerKeyAndANewKeyPastTheLimitIsRefusedWithoutEvictingAnother() {
        BoundedContexts<String> contexts = new BoundedContexts<>(2, "ALPN offer lists");

        SslContext a = contexts.get("a", this::build);
        assertThat(contexts.get("a", this::build)).isSameAs(a);
        contexts.get("b", this::build);

        assertThatThrownBy(() -> contexts.get("c", this::build))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than 2 distinct ALPN offer lists");
        assertThat(contexts.get("a", this::build)).isSameAs(a);
        assertThat(builds).hasValue(2);
    }

    private SslContext build(String key) {
        builds.incrementAndGet();
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }
}
