package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.certs.CertificateAuthority;
import dev.sluice.config.PasswordHash;
import dev.sluice.policy.PasswordHasher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int sluice(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void versionNamesSluice() {
        assertThat(sluice("--version")).isZero();
        assertThat(out.toString()).startsWith("sluice ");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(sluice("--help")).isZero();
        assertThat(out.toString()).contains("run", "check-config", "hash-password", "ca");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(sluice()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing command").contains("Usage: sluice");
    }

    @Nested
    class CheckConfig {
        @Test
        void aValidFileExitsZeroWithTheEffectiveConfig(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("ok.yaml"), """
                    rules:
                      - name: ads
                        match: {host: "*.ads.example"}
                        action: deny
                      - name: build
                        match: {clients: [10.20.0.0/16], port: 443}
                        action: splice
                    default: deny
                    """);

            assertThat(sluice("check-config", file.toString())).isZero();

            assertThat(out.toString())
                    .contains(file + ": OK")
                    .contains("listen:    0.0.0.0:3128")
                    .contains("admin:     127.0.0.1:9090")
                    .contains("connectPorts:      443")
                    .contains("[0] ads (line 2): host *.ads.example -> deny")
                    .contains("[1] build (line 5): port 443; clients 10.20.0.0/16 -> splice")
                    .contains("default -> deny")
                    .contains("timeouts:  connect 10s, requestHeader 30s, idleTunnel 15m, idleClient 2m, idleUpstream 1m, tlsHandshake 10s, drain 20s")
                    .contains("           maxClientConnections 10000, maxConnectionsPerClient 256")
                    .contains("  h2:       maxConcurrentStreams 100, maxHeaderListSize 16384, maxResetsPerWindow 200, "
                            + "resetWindow 30s,")
                    .contains("            maxEmptyDataFrames 2, maxQueuedControlFrames 1000, maxSmallContinuationFrames 16,")
                    .contains("            maxControlFramesPerWindow 10000")
                    .contains("tls:       off");
            assertThat(out.toString().indexOf("[0] ads")).isLessThan(out.toString().indexOf("[1] build"));
            assertThat(err.toString()).isEmpty();
        }

        @Test
        void aTlsBlockIsSummarisedWithItsDefaults(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("tls.yaml"), """
                    tls:
                      ca: {cert: /var/lib/sluice/certs/ca.crt, key: /var/lib/sluice/certs/ca.key}
                      upstreamTrust: [system, /etc/sluice/extra-ca.pem]
                    """);

            assertThat(sluice("check-config", file.toString())).as(err.toString()).isZero();

            assertThat(out.toString()).contains("""
                    tls:
                      ca:            cert /var/lib/sluice/certs/ca.crt, key /var/lib/sluice/certs/ca.key
                      leaf:          maxValidity 7d, cacheSize 2048, cacheTtl 1h
                      upstreamTrust: system, /etc/sluice/extra-ca.pem
                    """);
        }

        @Test
        void everyRuleCriterionAndTheGrpcAndPassthroughSectionsAreSummarised(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("grpc.yaml"), """
                    tls: {provider: jdk}
                    rules:
                      - name: grpc-raw
                        match: {grpcClient: true, port: 443}
                        action: splice
                      - name: api
                        match: {sni: ["api.example", "*.api.example"], alpn: [h2, grpc-exp], grpcClient: false}
                        action: bump
                        verifyUpstream: false
                        autoPassthrough: false
                      - name: no-deletes
                        match: {host: api.example, grpc: {service: pkg.v1.Store, method: "Delete*"}}
                        action: deny
                      - name: health
                        match: {grpc: {method: Check}}
                        action: allow
                    default: bump
                    grpc: {maxMethodLabels: 50}
                    passthrough:
                      mtls: {ttl: 30m}
                      pinned: {enabled: false, threshold: 3, ipv4Prefix: 24}
                    reload: {interval: 10s}
                    """);

            assertThat(sluice("check-config", file.toString())).as(err.toString()).isZero();

            assertThat(out.toString())
                    .contains("[0] grpc-raw (line 3): port 443; grpcClient true -> splice\n")
                    .contains("[1] api (line 6): sni api.example, *.api.example; alpn h2, grpc-exp; grpcClient false"
                            + " -> bump, verifyUpstream false, autoPassthrough false\n")
                    .contains("[2] no-deletes (line 11): host api.example; grpc pkg.v1.Store/Delete* -> deny\n")
                    .contains("[3] health (line 14): grpc */Check -> allow\n")
                    .contains("tlsHandshake 10s")
                    .contains("  provider:      jdk\n")
                    .contains("""
                            grpc:      callView on, maxMethodLabels 50
                            passthrough:
                              mtls:          on, ttl 30m
                              pinned:        off, ttl 1h, threshold 3, ipv4Prefix 24, ipv6Prefix 64
                              maxEntries:    10000
                            reload:    SIGHUP, and files watched every 10s
                            """);
            assertThat(err.toString()).isEmpty();
        }

        @Test
        void rulesThatCanNeverMatchAreWarnedAboutOnStderrAndTheExitCodeStaysZero(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("dead.yaml"), """
                    tls: {}
                    rules:
                      - name: ads
                        match: {host: "*.ads.example"}
                        action: deny
                      - name: one-ad
                        match: {host: x.ads.example, port: 443}
                        action: splice
                      - name: no-calls
                        match: {grpc: {service: "*"}}
                        action: deny
                      - name: health
                        match: {grpc: {method: Check}}
                        action: allow
                      - name: grpc-raw
                        match: {grpcClient: true}
                        action: splice
                      - name: grpc-java
                        match: {grpcClient: true, alpn: [h2]}
                        action: bump
                    default: bump
                    """);

            assertThat(sluice("check-config", file.toString())).isZero();

            assertThat(out.toString()).startsWith(file + ": OK\n").contains("[1] one-ad");
            assertThat(err.toString().lines()).containsExactly(
                    file + ":6: warning: rules[1] 'one-ad' can never match: rule 'ads' (line 3) matches everything it does",
                    file + ":12: warning: rules[3] 'health' can never match: rule 'no-calls' (line 9) matches everything it does",
                    file + ":18: warning: rules[5] 'grpc-java' can never match: rule 'grpc-raw' (line 15) matches everything it does");
        }

        @Test
        void anInvalidFileExitsOneWithEveryErrorOnStderr(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("bad.yaml"), """
                    listen: 3128
                    rules:
                      - name: a
                        action: permit
                    """);

            assertThat(sluice("check-config", file.toString())).isEqualTo(1);

            assertThat(err.toString().lines()).containsExactly(
                    file + ":1: listen: expected host:port, got '3128'",
                    file + ":4: rules[0].action: expected one of: splice, deny, bump, allow; got 'permit'");
            assertThat(out.toString()).isEmpty();
        }

        @Test
        void aMissingFileExitsOne(@TempDir Path dir) {
            assertThat(sluice("check-config", dir.resolve("nope.yaml").toString())).isEqualTo(1);
            assertThat(err.toString()).contains("nope.yaml:0: (file): no such file");
        }

        @Test
        void theShippedDefaultIsValid() {
            assertThat(sluice("check-config", "../config/sluice.yaml")).isZero();
            assertThat(out.toString()).contains("[0] cloud-metadata").contains("default -> splice");
            assertThat(err.toString()).isEmpty();
        }
    }

    @Nested
    class HashPassword {
        private final InputStream originalStdin = System.in;

        @AfterEach
        void restoreStdin() {
            System.setIn(originalStdin);
        }

        @Test
        void printsAHashThatVerifiesThePasswordFromStdin() {
            stdin("correct horse battery staple\n");

            assertThat(sluice("hash-password")).as(err.toString()).isZero();

            PasswordHash hash = PasswordHash.parse(out.toString().strip());
            assertThat(PasswordHasher.matches("correct horse battery staple".toCharArray(), hash)).isTrue();
            assertThat(PasswordHasher.matches("correct horse battery staple\n".toCharArray(), hash)).isFalse();
        }

        @Test
        void anEmptyPasswordIsRefused() {
            stdin("");

            assertThat(sluice("hash-password")).isEqualTo(1);
            assertThat(err.toString()).contains("the password is empty");
            assertThat(out.toString()).isEmpty();
        }

        private void stdin(String input) {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Nested
    class CaInit {
        @Test
        void writesTheCaIntoTheDirectoryAndPrintsItsFingerprint(@TempDir Path dir) throws Exception {
            Path certs = dir.resolve("certs");

            assertThat(sluice("ca", "init", "--dir", certs.toString())).as(err.toString()).isZero();

            Path cert = certs.resolve("ca.crt");
            Path key = certs.resolve("ca.key");
            assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(certs)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            String fingerprint = CertificateAuthority.load(cert, key).sha256Fingerprint();
            assertThat(out.toString()).contains("CA certificate:      " + cert, "CA key:              " + key,
                    "SHA-256 fingerprint: " + fingerprint);
            assertThat(err.toString()).isEmpty();
        }

        @Test
        void refusesToReplaceAnExistingCaWithoutForce(@TempDir Path dir) throws Exception {
            assertThat(sluice("ca", "init", "--dir", dir.toString())).isZero();
            String before = Files.readString(dir.resolve("ca.key"));

            assertThat(sluice("ca", "init", "--dir", dir.toString())).isEqualTo(1);

            assertThat(err.toString()).startsWith("ca init: " + dir.resolve("ca.crt") + " already exists; pass --force");
            assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo(before);
        }

        @Test
        void forceReplacesIt(@TempDir Path dir) throws Exception {
            assertThat(sluice("ca", "init", "--dir", dir.toString())).isZero();
            String before = Files.readString(dir.resolve("ca.key"));

            assertThat(sluice("ca", "init", "--dir", dir.toString(), "--force")).as(err.toString()).isZero();

            assertThat(Files.readString(dir.resolve("ca.key"))).isNotEqualTo(before);
            assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }

        @Test
        void caAloneIsAUsageError() {
            assertThat(sluice("ca")).isEqualTo(2);
            assertThat(err.toString()).contains("Missing command: use ca init");
        }
    }

    @Nested
    class Run {
        @Test
        void aCaKeyOthersCanReadRefusesToStart(@TempDir Path dir) throws Exception {
            assertThat(sluice("ca", "init", "--dir", dir.toString())).isZero();
            Path key = dir.resolve("ca.key");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

            assertThat(runWithCaIn(dir)).isEqualTo(1);

            assertThat(err.toString()).contains("sluice: cannot start: the CA key " + key
                    + " is readable or writable by others (mode 0644)").contains("chmod 600 " + key);
        }

        @Test
        void theFirstStartCreatesTheConfiguredCa(@TempDir Path dir) throws Exception {
            Path certs = dir.resolve("certs");

            runWithCaIn(certs);

            assertThat(err.toString()).doesNotContain("the CA");
            assertThat(Files.getPosixFilePermissions(certs.resolve("ca.key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(CertificateAuthority.load(certs.resolve("ca.crt"), certs.resolve("ca.key"))).isNotNull();
        }

        @Test
        void aBadConfigExitsOneBeforeStartingAnything(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("bad.yaml"), "default: maybe\n");

            assertThat(sluice("run", "--config", file.toString())).isEqualTo(1);
            assertThat(err.toString()).contains(file + ":1: default: expected one of: splice, deny");
        }

        @Test
        void aBadListenOverrideIsAUsageError() {
            assertThat(sluice("run", "--listen", "nowhere")).isEqualTo(2);
            assertThat(err.toString()).contains("--listen").contains("expected host:port");
        }

        /**
         * {@code run} with a tls block naming {@code certs}/ca.crt and ca.key, and a proxy port already taken: run
         * returns right after the CA step (refused or done) instead of serving.
         */
        private int runWithCaIn(Path certs) throws IOException {
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Path file = Files.writeString(certs.resolveSibling(certs.getFileName() + "-tls.yaml"), """
                        listen: 127.0.0.1:%d
                        admin: 127.0.0.1:0
                        accessLog: {enabled: false}
                        tls:
                          ca: {cert: "%s", key: "%s"}
                        """.formatted(taken.getLocalPort(), certs.resolve("ca.crt"), certs.resolve("ca.key")));
                return sluice("run", "--config", file.toString());
            }
        }
    }
}
