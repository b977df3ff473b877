package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DownloadTest {
    @Test
    void aDirectDownloadReceivesExactlyWhatTheOriginSends() throws IOException {
        try (BlastOrigin origin = new BlastOrigin(8L << 20)) {
            long nanos = new Download(Duration.ofSeconds(60)).direct(origin.address(), 8L << 20);

            assertThat(nanos).isPositive();
        }
    }

    @Test
    void aShortDownloadFailsTheRun() throws IOException {
        try (BlastOrigin origin = new BlastOrigin(1 << 20)) {
            assertThatThrownBy(() -> new Download(Duration.ofSeconds(60)).direct(origin.address(), 2 << 20))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("received 1048576 bytes");
        }
    }
}
