package dev.sluice.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.certs.SubjectAltName.Type;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeafMinterTest {
    private static final Duration MAX = Duration.ofDays(7);
    /** Truncated to seconds: X.509 times carry no milliseconds. */
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    static Path dir;
    static CertificateAuthority ca;
    static KeyPair originKeys;
    static X509Certificate originCa;

    @BeforeAll
    static void makeCa() throws CaException {
        ca = CertificateAuthority.generate(dir.resolve("ca.crt"), dir.resolve("ca.key"), false);
        originKeys = TestPki.ec();
        originCa = TestPki.caCertificate(originKeys, "Origin CA");
    }

    private final LeafMinter minter = new LeafMinter(ca, MAX, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void theLeafChainsToTheCa() throws Exception {
        LeafCertificate leaf = minter.mint("api.example.com", List.of(), NOW.plus(Duration.ofDays(30)));

        leaf.certificate().verify(ca.certificate().getPublicKey());
        assertThat(leaf.chain()).containsExactly(leaf.certificate(), ca.certificate());
        assertThat(leaf.issuer()).isEqualTo(ca.certificate());
        assertThat(leaf.certificate().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(leaf.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void copiesTheUpstreamDnsAndIpNamesAndAddsTheSni() throws Exception {
        X509Certificate upstream = TestPki.serverCertificate(originKeys, originCa, "origin", NOW.plus(Duration.ofDays(90)),
                new GeneralName(GeneralName.dNSName, "Example.COM"),
                new GeneralName(GeneralName.dNSName, "*.example.com"),
                new GeneralName(GeneralName.iPAddress, "192.0.2.1"),
                new GeneralName(GeneralName.iPAddress, "2001:db8::1"),
                new GeneralName(GeneralName.rfc822Name, "ops@example.com"));

        LeafCertificate leaf = minter.mint("api.example.com", upstream);

        assertThat(SubjectAltName.of(leaf.certificate())).containsExactly(
                new SubjectAltName(Type.DNS, "example.com"),
                new SubjectAltName(Type.DNS, "*.example.com"),
                new SubjectAltName(Type.IP, "192.0.2.1"),
                new SubjectAltName(Type.IP, "2001:db8::1"),
                new SubjectAltName(Type.DNS, "api.example.com"));
        assertThat(leaf.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=api.example.com");
    }

    @Test
    void doesNotRepeatAnSniTheUpstreamAlreadyNames() {
        List<SubjectAltName> upstream = List.of(SubjectAltName.forHost("example.com"), SubjectAltName.forHost("::1"));

        assertThat(SubjectAltName.of(minter.mint("EXAMPLE.com.", upstream, NOW.plus(MAX)).certificate()))
                .containsExactlyElementsOf(upstream);
        assertThat(SubjectAltName.of(minter.mint("0:0:0:0:0:0:0:1", upstream, NOW.plus(MAX)).certificate()))
                .containsExactlyElementsOf(upstream);
    }

    @Test
    void anIpHostBecomesAnIpName() {
        LeafCertificate leaf = minter.mint("127.0.0.1", List.of(), NOW.plus(MAX));

        assertThat(SubjectAltName.of(leaf.certificate())).containsExactly(new SubjectAltName(Type.IP, "127.0.0.1"));
    }

    @Test
    void aHostTooLongForACommonNameLivesOnlyInTheSans() {
        String host = "a".repeat(60) + ".example.com";

        LeafCertificate leaf = minter.mint(host, List.of(), NOW.plus(MAX));

        assertThat(leaf.certificate().getSubjectX500Principal().getName()).isEqualTo("O=Sluice");
        assertThat(SubjectAltName.of(leaf.certificate())).containsExactly(new SubjectAltName(Type.DNS, host));
    }

    @Test
    void isAServerLeafWithKeyIdentifiers() throws Exception {
        X509Certificate leaf = minter.mint("api.example.com", List.of(), NOW.plus(MAX)).certificate();

        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_serverAuth.getId());
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getKeyUsage()).containsOnlyOnce(true);
        assertThat(SubjectKeyIdentifier.getInstance(extension(leaf, Extension.subjectKeyIdentifier)).getKeyIdentifier())
                .isNotEmpty();
        assertThat(AuthorityKeyIdentifier.getInstance(extension(leaf, Extension.authorityKeyIdentifier)).getKeyIdentifierOctets())
                .isEqualTo(SubjectKeyIdentifier.getInstance(extension(ca.certificate(), Extension.subjectKeyIdentifier))
                        .getKeyIdentifier());
    }

    @Test
    void serialsAreRandomPositiveAnd128Bits() {
        Set<Object> serials = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            var serial = minter.mint("api.example.com", List.of(), NOW.plus(MAX)).certificate().getSerialNumber();
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isEqualTo(128);
            serials.add(serial);
        }
        assertThat(serials).hasSize(20);
    }

    @Test
    void everyLeafOfAProcessSharesOneKeyButMintersDoNot() {
        LeafCertificate a = minter.mint("a.example", List.of(), NOW.plus(MAX));
        LeafCertificate b = minter.mint("b.example", List.of(), NOW.plus(MAX));
        LeafCertificate other = new LeafMinter(ca, MAX).mint("a.example", List.of(), NOW.plus(MAX));

        assertThat(a.key()).isSameAs(b.key());
        assertThat(a.certificate().getPublicKey()).isEqualTo(b.certificate().getPublicKey());
        assertThat(other.certificate().getPublicKey()).isNotEqualTo(a.certificate().getPublicKey());
    }

    @Test
    void isBackdatedAnHour() {
        X509Certificate leaf = minter.mint("api.example.com", List.of(), NOW.plus(MAX)).certificate();

        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
    }

    @Test
    void neverOutlivesTheUpstreamTheCaOrTheConfiguredMaximum() throws Exception {
        Instant upstreamSoon = NOW.plus(Duration.ofDays(2));
        assertThat(minter.mint("a.example", List.of(), upstreamSoon).certificate().getNotAfter().toInstant())
                .isEqualTo(upstreamSoon);
        assertThat(minter.mint("a.example", List.of(), NOW.plus(Duration.ofDays(365))).certificate().getNotAfter()
                .toInstant()).isEqualTo(NOW.plus(MAX));

        KeyPair keys = TestPki.ec();
        Instant caEnd = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        List<Path> files = TestPki.writeCa(dir.resolve("short"), keys,
                TestPki.certificate(keys, "Short CA", NOW.minus(Duration.ofDays(1)), caEnd, true), TestPki.KeyFormat.PKCS8);
        CertificateAuthority shortCa = CertificateAuthority.load(files.get(0), files.get(1));
        assertThat(new LeafMinter(shortCa, MAX).mint("a.example", List.of(), NOW.plus(Duration.ofDays(30)))
                .certificate().getNotAfter().toInstant()).isEqualTo(caEnd);
    }

    @Test
    void aNameOnlyLeafNamesItsHostAloneAndLivesTheConfiguredMaximum() throws Exception {
        LeafCertificate named = minter.mintNameOnly("API.example.com");
        LeafCertificate address = minter.mintNameOnly("127.0.0.1");

        named.certificate().verify(ca.certificate().getPublicKey());
        assertThat(SubjectAltName.of(named.certificate()))
                .containsExactly(new SubjectAltName(Type.DNS, "api.example.com"));
        assertThat(named.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=API.example.com");
        assertThat(named.certificate().getNotAfter().toInstant()).isEqualTo(NOW.plus(MAX));
        assertThat(SubjectAltName.of(address.certificate())).containsExactly(new SubjectAltName(Type.IP, "127.0.0.1"));
    }

    @Test
    void aNameOnlyLeafNeverOutlivesTheCa() throws Exception {
        KeyPair keys = TestPki.ec();
        Instant caEnd = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        List<Path> files = TestPki.writeCa(dir.resolve("short-name-only"), keys,
                TestPki.certificate(keys, "Short CA", NOW.minus(Duration.ofDays(1)), caEnd, true), TestPki.KeyFormat.PKCS8);
        CertificateAuthority shortCa = CertificateAuthority.load(files.get(0), files.get(1));

        assertThat(new LeafMinter(shortCa, MAX).mintNameOnly("a.example").certificate().getNotAfter().toInstant())
                .isEqualTo(caEnd);
    }

    @Test
    void refusesToMintALeafThatWouldBeBornExpired() {
        assertThatThrownBy(() -> minter.mint("a.example", List.of(), NOW.minus(Duration.ofMinutes(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would be expired");
    }

    @Test
    void anRsaCaSignsWithRsa() throws Exception {
        KeyPair keys = TestPki.rsa();
        List<Path> files = TestPki.writeCa(dir.resolve("rsa"), keys, TestPki.caCertificate(keys, "RSA CA"),
                TestPki.KeyFormat.TRADITIONAL);
        CertificateAuthority rsaCa = CertificateAuthority.load(files.get(0), files.get(1));

        X509Certificate leaf = new LeafMinter(rsaCa, MAX).mint("a.example", List.of(), NOW.plus(MAX)).certificate();

        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        leaf.verify(keys.getPublic());
    }

    /** Not an assertion (machines differ): prints the warm mint latency, expected around a millisecond or two. */
    @Test
    void printsMintLatency() {
        LeafMinter realClock = new LeafMinter(ca, MAX);
        List<SubjectAltName> names = List.of(SubjectAltName.forHost("example.com"), SubjectAltName.forHost("*.example.com"));
        Instant notAfter = Instant.now().plus(Duration.ofDays(30));
        for (int i = 0; i < 300; i++) {
            realClock.mint("warm.example.com", names, notAfter);
        }
        int mints = 500;
        long start = System.nanoTime();
        for (int i = 0; i < mints; i++) {
            realClock.mint("h" + i + ".example.com", names, notAfter);
        }
        long perMint = (System.nanoTime() - start) / mints;
        System.out.printf("LeafMinter: %d warm mints, %.3f ms each (EC P-256 CA)%n", mints, perMint / 1e6);
    }

    private static byte[] extension(X509Certificate certificate, ASN1ObjectIdentifier id) {
        return ASN1OctetString.getInstance(certificate.getExtensionValue(id.getId())).getOctets();
    }
}
