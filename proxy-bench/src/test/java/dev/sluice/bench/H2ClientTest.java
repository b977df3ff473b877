package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class H2ClientTest {
    private static final BenchPki PKI = new BenchPki();
    private static H2Origin origin;
    private static H2Client client;

    @BeforeAll
    static void start() throws Exception {
        origin = new H2Origin(PKI);
        client = new H2Client(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (origin != null) origin.close();
    }

    private long get(String host, String path, X509Certificate anchor) throws Exception {
        return client.get(H2Client.Route.direct(origin.address()), host, origin.port(), path, BenchTls.client(anchor));
    }

    @Test
    void downloadsExactlyTheBytesTheOriginIsAskedFor() throws Exception {
        assertThat(get(BenchPki.host("bulk"), "/zeros/" + (24L << 20), PKI.caCertificate())).isEqualTo(24L << 20);
    }

    @Test
    void anEmptyBodyEndsWithTheHeaders() throws Exception {
        assertThat(get(BenchPki.host("empty"), "/zeros/0", PKI.caCertificate())).isZero();
    }

    @Test
    void anyNameUnderTheBenchDomainPassesTheHostNameCheck() throws Exception {
        assertThat(get(BenchPki.host("new-17"), "/zeros/100", PKI.caCertificate())).isEqualTo(100);
    }

    @Test
    void aStatusOtherThan200FailsTheExchange() {
        assertThatThrownBy(() -> get(BenchPki.host("bulk"), "/nothing-here", PKI.caCertificate()))
                .isInstanceOf(IOException.class).hasMessageContaining("status 404");
    }

    @Test
    void anOriginSignedByAnotherCaIsRefused() {
        assertThatThrownBy(() -> get(BenchPki.host("bulk"), "/zeros/1", new BenchPki().caCertificate()))
                .isInstanceOf(Exception.class);
    }

    @Test
    void aNameOutsideTheCertificateIsRefused() {
        assertThatThrownBy(() -> get("elsewhere.example", "/zeros/1", PKI.caCertificate()))
                .isInstanceOf(Exception.class);
    }
}
