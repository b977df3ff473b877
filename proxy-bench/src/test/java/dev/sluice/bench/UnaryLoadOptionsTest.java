package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UnaryLoadOptionsTest {
    private static UnaryLoadOptions parse(String... args) {
        return CommandLine.populateCommand(new UnaryLoadOptions(), args);
    }

    @Test
    void defaultsAreSixtyFourInFlightAndThreeTenSecondWindows() {
        UnaryLoadOptions options = parse();

        assertThat(options.inFlight).isEqualTo(64);
        assertThat(options.messageBytes).isEqualTo(64);
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.runs).isEqualTo(3);
        assertThat(options.json).isFalse();
        options.validate();
    }

    @Test
    void everyOptionIsRead() {
        UnaryLoadOptions options = parse("--in-flight", "8", "--message-bytes", "1024", "--duration", "2",
                "--warmup", "0", "--runs", "5", "--timeout", "7", "--json");

        assertThat(options.inFlight).isEqualTo(8);
        assertThat(options.messageBytes).isEqualTo(1024);
        assertThat(options.window()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.warmup()).isZero();
        assertThat(options.runs).isEqualTo(5);
        assertThat(options.timeoutSeconds).isEqualTo(7);
        assertThat(options.json).isTrue();
    }

    @Test
    void nonsenseIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> parse("--runs", "0").validate()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("--duration", "0").validate()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("--warmup", "-1").validate()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void grpcViewTakesTheLoadOptionsAndAnAccessLogSwitch() {
        CommandLine command = new CommandLine(new GrpcViewBench());
        CommandLine.ParseResult parsed = command.parseArgs("--sluice-jar", "sluice.jar", "--runs", "4", "--access-log");

        assertThat(parsed.matchedOptionValue("--runs", 0)).isEqualTo(4);
        assertThat(parsed.matchedOptionValue("--access-log", false)).isTrue();
        assertThat(parsed.matchedOptionValue("--sluice-jar", Path.of(""))).isEqualTo(Path.of("sluice.jar"));
    }
}
