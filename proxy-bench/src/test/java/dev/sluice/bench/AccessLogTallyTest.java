package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTallyTest {
    private static final String LINE_OK = "{\"time\":\"2026-11-24T03:00:00.000Z\",\"client\":\"127.0.0.1:5000\","
            + "\"method\":\"CONNECT\",\"target\":\"127.0.0.1:443\",\"action\":\"splice\",\"status\":200}\n";
    private static final String LINE_RESET = "{\"method\":\"POST\",\"grpc\":{\"error\":\"nested, not counted\"},"
            + "\"error\":\"upstream_reset\",\"status\":200}\n";

    @Test
    void linesAreCountedAndTheirTopLevelErrorsByReason(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("access.log"), LINE_OK + LINE_RESET + LINE_RESET + LINE_OK);

        AccessLogTally tally = AccessLogTally.read(log);

        assertThat(tally.lines()).isEqualTo(4);
        assertThat(tally.errors()).isEqualTo(Map.of("upstream_reset", 2L));
        assertThat(tally.errorLines()).isEqualTo(2);
    }

    @Test
    void aLineTheWriterHasNotEndedYetIsLeftForALaterRead(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("access.log"), LINE_OK + LINE_RESET.substring(0, 30));

        assertThat(AccessLogTally.read(log)).isEqualTo(new AccessLogTally(1, Map.of()));
        assertThat(AccessLogTally.settled(log, Duration.ofMillis(10), Duration.ofSeconds(5)).lines()).isEqualTo(1);
    }

    @Test
    void sinceCountsOnlyWhatWasAppendedAfterTheEarlierReading(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("access.log"), LINE_OK + LINE_RESET);
        AccessLogTally before = AccessLogTally.read(log);
        Files.writeString(log, LINE_OK + LINE_OK + LINE_RESET + "{\"error\":\"client_reset\"}\n",
                java.nio.file.StandardOpenOption.APPEND);

        AccessLogTally since = AccessLogTally.read(log).since(before);

        assertThat(since.lines()).isEqualTo(4);
        assertThat(since.errors()).isEqualTo(Map.of("upstream_reset", 1L, "client_reset", 1L));
    }
}
