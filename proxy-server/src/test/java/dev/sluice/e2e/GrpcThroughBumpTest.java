package dev.sluice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.AccessLogLine;
import dev.sluice.testing.GrpcCalls;
import dev.sluice.testing.GrpcEchoServer;
import dev.sluice.testing.SluiceFixture;
import dev.sluice.testing.TestOrigins;
import io.grpc.stub.ClientCalls;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/**
 * grpc-java through a bumping Sluice to a grpc-java TLS server: the client trusts only Sluice's CA, so every call
 * here crossed two TLS sessions and the HTTP/2 bridge between them.
 */
class GrpcThroughBumpTest extends GrpcCallsContract {
    @Override
    SluiceFixture startSluice() {
        return SluiceFixture.builder().tls().yaml("default: bump").start();
    }

    @Override
    X509Certificate trustedByClient() {
        return sluice.ca().certificate();
    }

    @Test
    void eachCallGetsItsOwnAccessLogLineAndTheBumpIsCountedAsH2() {
        ClientCalls.blockingUnaryCall(channel, GrpcEchoServer.ECHO, GrpcCalls.options(), new byte[] {42});

        String target = "https://" + TestOrigins.authority(origin.port()) + "/sluice.test.Echo/Echo";
        AccessLogLine line = sluice.awaitAccessLog(l -> target.equals(l.text("target")));
        assertThat(line.text("method")).isEqualTo("POST");
        assertThat(line.text("action")).isEqualTo("bump");
        assertThat(line.text("protocol")).isEqualTo("h2");
        assertThat(line.number("status")).isEqualTo(200);
        sluice.awaitMetric(1, "sluice_bump_protocols_total", "protocol", "h2");
        sluice.awaitMetric(1, "sluice_http_requests_total", "protocol", "h2", "method", "POST", "status", "200");
    }
}
