package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReferenceRelayTest {
    @Test
    void relaysEveryByteOfACONNECTDownload() throws Exception {
        try (BlastOrigin origin = new BlastOrigin(8L << 20);
             ReferenceRelay relay = new ReferenceRelay()) {
            long nanos = new Download(Duration.ofSeconds(60)).viaConnect(relay.address(), origin.address(), 8L << 20);

            assertThat(nanos).isPositive();
        }
    }
}
