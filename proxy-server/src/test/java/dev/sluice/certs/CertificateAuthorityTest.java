package dev.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.certs.TestPki.KeyFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateAuthorityTest {
    @TempDir
    Path dir;

    @Nested
    class Load {
        static Stream<Arguments> keyKinds() {
            return Stream.of(
                    Arguments.of("RSA", KeyFormat.TRADITIONAL, "-----BEGIN RSA PRIVATE KEY-----"),
                    Arguments.of("RSA", KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"),
                    Arguments.of("EC", KeyFormat.TRADITIONAL, "-----BEGIN EC PRIVATE KEY-----"),
                    Arguments.of("EC", KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"));
        }

        @ParameterizedTest(name = "{0} {2}")
        @MethodSource("keyKinds")
        void readsRsaAndEcKeysInEveryPemForm(String algorithm, KeyFormat format, String header)
                throws Exception {
            KeyPair keys = algorithm.equals("RSA") ? TestPki.rsa() : TestPki.ec();
            X509Certificate certificate = TestPki.caCertificate(keys, "Test CA");
            List<Path> files = TestPki.writeCa(dir, keys, certificate, format);
            assertThat(Files.readString(files.get(1))).startsWith(header);

            CertificateAuthority ca = CertificateAuthority.load(files.get(0), files.get(1));

            assertThat(ca.certificate()).isEqualTo(certificate);
            assertThat(ca.privateKey().getAlgorithm()).isEqualTo(algorithm);
            assertThat(ca.certificatePem()).isEqualTo(TestPki.pem(certificate)).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(ca.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")
                    .isEqualTo(CertificateFingerprint.sha256(certificate));
        }

        @Test
        void skipsTheEcParametersBlockOpensslEcparamWritesFirstAndNeedsNoPublicKey() throws Exception {
            KeyPair keys = TestPki.ec();
            X509Certificate certificate = TestPki.caCertificate(keys, "Test CA");
            Path cert = TestPki.writeCertificates(dir.resolve("ca.crt"), certificate);
            Path key = TestPki.writeSecret(dir.resolve("ca.key"),
                    "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                            + TestPki.sec1(keys, false));

            assertThat(CertificateAuthority.load(cert, key).certificate()).isEqualTo(certificate);
        }

        @Test
        void refusesAKeyThatIsNotTheCertificates() throws Exception {
            KeyPair keys = TestPki.ec();
            Path cert = TestPki.writeCertificates(dir.resolve("ca.crt"), TestPki.caCertificate(keys, "Test CA"));
            Path otherEc = TestPki.writeKey(dir.resolve("other-ec.key"), TestPki.ec(), KeyFormat.PKCS8);
            Path rsa = TestPki.writeKey(dir.resolve("rsa.key"), TestPki.rsa(), KeyFormat.TRADITIONAL);

            for (Path key : List.of(otherEc, rsa)) {
                assertThatThrownBy(() -> CertificateAuthority.load(cert, key))
                        .isInstanceOf(CaException.class)
                        .hasMessage("the CA key " + key + " does not belong to the CA certificate " + cert);
            }
        }

        @Test
        void refusesACertificateThatIsNotACa() throws Exception {
            KeyPair keys = TestPki.ec();
            Instant now = Instant.now();
            X509Certificate server = TestPki.certificate(keys, "not a ca", now, now.plus(Duration.ofDays(1)), false);
            List<Path> files = TestPki.writeCa(dir, keys, server, KeyFormat.PKCS8);

            assertThatThrownBy(() -> CertificateAuthority.load(files.get(0), files.get(1)))
                    .isInstanceOf(CaException.class)
                    .hasMessageContaining(files.get(0) + " (CN=not a ca) is not a CA certificate")
                    .hasMessageContaining("basicConstraints CA:TRUE");
        }

        @Test
        void refusesAnExpiredCa() throws Exception {
            KeyPair keys = TestPki.ec();
            Instant now = Instant.now();
            X509Certificate expired = TestPki.certificate(keys, "old", now.minus(Duration.ofDays(30)),
                    now.minus(Duration.ofDays(1)), true);
            List<Path> files = TestPki.writeCa(dir, keys, expired, KeyFormat.PKCS8);

            assertThatThrownBy(() -> CertificateAuthority.load(files.get(0), files.get(1)))
                    .isInstanceOf(CaException.class).hasMessageContaining("expired on").hasMessageContaining("--force");
        }

        @Test
        void refusesAKeyOthersCanRead() throws Exception {
            KeyPair keys = TestPki.ec();
            List<Path> files = TestPki.writeCa(dir, keys, TestPki.caCertificate(keys, "Test CA"), KeyFormat.PKCS8);
            Path key = files.get(1);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

            assertThatThrownBy(() -> CertificateAuthority.load(files.get(0), key))
                    .isInstanceOf(CaException.class)
                    .hasMessageStartingWith("the CA key " + key + " is readable or writable by others (mode 0644)")
                    .hasMessageEndingWith("Run: chmod 600 " + key);
        }

        @Test
        void refusesAnEncryptedKeyAndSaysHowToDecryptIt() throws Exception {
            KeyPair keys = TestPki.ec();
            Path cert = TestPki.writeCertificates(dir.resolve("ca.crt"), TestPki.caCertificate(keys, "Test CA"));
            Path key = TestPki.writeSecret(dir.resolve("ca.key"), TestPki.pem(new JcaPKCS8Generator(keys.getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
                            .setPassword("pw".toCharArray()).build())));

            assertThatThrownBy(() -> CertificateAuthority.load(cert, key))
                    .isInstanceOf(CaException.class)
                    .hasMessageContaining(key + " is encrypted").hasMessageContaining("openssl pkey -in " + key);
        }

        @Test
        void namesAMissingFile() throws Exception {
            KeyPair keys = TestPki.ec();
            Path cert = TestPki.writeCertificates(dir.resolve("ca.crt"), TestPki.caCertificate(keys, "Test CA"));
            Path key = dir.resolve("missing.key");

            assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("nope.crt"), key))
                    .isInstanceOf(CaException.class).hasMessage("the CA certificate " + dir.resolve("nope.crt") + " does not exist");
            assertThatThrownBy(() -> CertificateAuthority.load(cert, key))
                    .isInstanceOf(CaException.class).hasMessageContaining(key.toString());
        }

        @Test
        void refusesFilesWithoutExactlyOneCertificateOrKey() throws Exception {
            KeyPair keys = TestPki.ec();
            X509Certificate certificate = TestPki.caCertificate(keys, "Test CA");
            Path two = TestPki.writeCertificates(dir.resolve("two.crt"), certificate, certificate);
            Path none = Files.writeString(dir.resolve("none.crt"), "not pem\n");
            Path cert = TestPki.writeCertificates(dir.resolve("ca.crt"), certificate);
            Path noKey = TestPki.writeSecret(dir.resolve("cert-as-key.key"), TestPki.pem(certificate));

            assertThatThrownBy(() -> CertificateAuthority.load(two, noKey)).hasMessageContaining("holds 2 certificates");
            assertThatThrownBy(() -> CertificateAuthority.load(none, noKey)).hasMessageContaining("holds 0 certificates");
            assertThatThrownBy(() -> CertificateAuthority.load(cert, noKey)).hasMessageContaining("holds 0 private keys");
        }
    }

    @Nested
    class KeyPermissions {
        @Test
        void theOwnerAloneMayReadAndWrite() {
            assertThat(problem("rw-------", false)).isNull();
            assertThat(problem("r--------", false)).isNull();
        }

        @Test
        void othersMayNeverRead() {
            assertThat(problem("rw-r--r--", true)).isEqualTo("readable or writable by others");
            assertThat(problem("rw-----w-", true)).isEqualTo("readable or writable by others");
        }

        @Test
        void theGroupMayReadOnlyARootOwnedKey() {
            // A Kubernetes Secret mounted with fsGroup is root-owned and 0440.
            assertThat(problem("r--r-----", true)).isNull();
            assertThat(problem("rw-r-----", false)).isEqualTo("readable by its group");
            assertThat(problem("rw-rw----", true)).isEqualTo("writable by its group");
        }

        @Test
        void modesPrintInOctal() {
            assertThat(KeyFilePermissions.octal(PosixFilePermissions.fromString("rwxr-x--x"))).isEqualTo("0751");
        }

        private String problem(String mode, boolean ownedByRoot) {
            Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(mode);
            return KeyFilePermissions.problem(permissions, ownedByRoot);
        }
    }

    @Nested
    class Generate {
        @Test
        void writesAnEcP256CaThatLoadsBack() throws Exception {
            Path cert = dir.resolve("ca.crt");
            Path key = dir.resolve("ca.key");
            Instant before = Instant.now();

            CertificateAuthority generated = CertificateAuthority.generate(cert, key, false);

            assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(cert)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(Files.readString(cert)).isEqualTo(generated.certificatePem());
            assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
            CertificateAuthority loaded = CertificateAuthority.load(cert, key);
            assertThat(loaded.sha256Fingerprint()).isEqualTo(generated.sha256Fingerprint());

            X509Certificate c = loaded.certificate();
            assertThat(c.getSubjectX500Principal().getName()).matches("CN=Sluice CA [0-9a-f]{8},O=Sluice");
            assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
            assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
            assertThat(c.getPublicKey().toString()).contains("secp256r1");
            assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
            assertThat(c.getBasicConstraints()).isZero();
            assertThat(c.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
            // keyCertSign (5) and cRLSign (6) only.
            assertThat(c.getKeyUsage()).containsExactly(false, false, false, false, false, true, true, false, false);
            assertThat(c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
            assertThat(c.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofMinutes(61)),
                    before.minus(Duration.ofMinutes(59)));
            assertThat(c.getNotAfter().toInstant()).isAfter(before.plus(Duration.ofDays(3650)));
            assertThat(c.getSerialNumber().signum()).isPositive();
            c.verify(c.getPublicKey());
        }

        @Test
        void eachCaIsNew() throws Exception {
            CertificateAuthority first = CertificateAuthority.generate(dir.resolve("a.crt"), dir.resolve("a.key"), false);
            CertificateAuthority second = CertificateAuthority.generate(dir.resolve("b.crt"), dir.resolve("b.key"), false);

            assertThat(first.sha256Fingerprint()).isNotEqualTo(second.sha256Fingerprint());
            assertThat(first.certificate().getSubjectX500Principal())
                    .isNotEqualTo(second.certificate().getSubjectX500Principal());
        }

        @Test
        void refusesToOverwriteWithoutForce() throws Exception {
            Path cert = dir.resolve("ca.crt");
            Path key = dir.resolve("ca.key");
            CertificateAuthority original = CertificateAuthority.generate(cert, key, false);
            String keyPem = Files.readString(key);

            assertThatThrownBy(() -> CertificateAuthority.generate(cert, key, false))
                    .isInstanceOf(CaException.class)
                    .hasMessageStartingWith(cert + " already exists; pass --force");
            Files.delete(cert);
            assertThatThrownBy(() -> CertificateAuthority.generate(cert, key, false))
                    .isInstanceOf(CaException.class)
                    .hasMessageStartingWith(key + " already exists");

            assertThat(Files.readString(key)).isEqualTo(keyPem);
            assertThat(cert).doesNotExist();
            assertThat(original).isNotNull();
        }

        @Test
        void forceReplacesTheCa() throws Exception {
            Path cert = dir.resolve("ca.crt");
            Path key = dir.resolve("ca.key");
            CertificateAuthority original = CertificateAuthority.generate(cert, key, false);

            CertificateAuthority replaced = CertificateAuthority.generate(cert, key, true);

            assertThat(replaced.sha256Fingerprint()).isNotEqualTo(original.sha256Fingerprint());
            assertThat(CertificateAuthority.load(cert, key).sha256Fingerprint()).isEqualTo(replaced.sha256Fingerprint());
            assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }

        @Test
        void createsMissingDirectoriesForTheOwnerOnly() throws Exception {
            Path certs = dir.resolve("var/certs");

            CertificateAuthority.generate(certs.resolve("ca.crt"), certs.resolve("ca.key"), false);

            assertThat(Files.getPosixFilePermissions(certs)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(certs.resolve("ca.key")).exists();
        }

        @Test
        void aFailedWriteSaysWhere() throws IOException {
            Path notADirectory = Files.writeString(dir.resolve("file"), "x");

            assertThatThrownBy(() -> CertificateAuthority.generate(notADirectory.resolve("ca.crt"),
                    notADirectory.resolve("ca.key"), false))
                    .isInstanceOf(CaException.class).hasMessageContaining("cannot write the CA to " + notADirectory);
        }
    }
}
