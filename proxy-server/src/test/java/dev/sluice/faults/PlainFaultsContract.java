package dev.sluice.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.FaultyOrigin;
import dev.sluice.testing.RawResponse;
import dev.sluice.testing.ResourceBaseline;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the fault suites of the plain paths (forward, splice) share: a Sluice with short timeouts, a faulty origin per
 * test, a resource baseline taken before it, and the answers Sluice gives while nothing is connected yet.
 */
@Isolated("counts the JVM's open file descriptors")
abstract class PlainFaultsContract {
    static SluiceFixture sluice;
    FaultyOrigin origin;
    ResourceBaseline baseline;

    @BeforeAll
    static void startSluice() {
        sluice = SluiceFixture.builder().yaml(Faults.SHORT_TIMEOUTS).start();
    }

    @AfterAll
    static void stopSluice() {
        sluice.close();
    }

    @BeforeEach
    void recordBaseline() {
        baseline = ResourceBaseline.record();
    }

    @AfterEach
    void stopOrigin() throws IOException {
        if (origin != null) origin.close();
    }

    /** Sluice's answer to a request for {@code hostPort} on this path. */
    abstract RawResponse request(String hostPort) throws IOException;

    /** The access-log {@code target} of that request. */
    abstract String logged(String hostPort);

    /** One quick exchange on this path still works. */
    abstract void assertServesAFreshClient() throws IOException;

    /** A refusing origin and a name that cannot resolve: {@code hostPort}, status, Proxy-Status error, reason. */
    static Stream<Arguments> unreachable() {
        return Stream.of(
                Arguments.of("127.0.0.1:" + TestOrigins.closedPort(), 502, "connection_refused", "connect_refused"),
                Arguments.of("nowhere.invalid:80", 504, "dns_error", "dns_failure"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("unreachable")
    void anUnreachableOriginIsAnsweredBySluice(String hostPort, int status, String proxyStatus, String reason)
            throws Exception {
        double before = Faults.errors(sluice, reason);

        RawResponse response = request(hostPort);

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("proxy-status")).contains("error=" + proxyStatus);
        assertLoggedAndCounted(logged(hostPort), reason, before);
        assertRecovered();
    }

    static void assertLoggedAndCounted(String target, String error, double errorsBefore) {
        assertThat(sluice.awaitAccessLog(line -> target.equals(line.text("target"))).text("error")).isEqualTo(error);
        sluice.awaitMetric(errorsBefore + 1, "sluice_errors_total", "reason", error);
    }

    /** Nothing left behind, and the next client is served. */
    void assertRecovered() throws IOException {
        if (origin != null) {
            origin.close();
            origin = null;
        }
        baseline.assertReturned();
        assertServesAFreshClient();
    }
}
