package dev.sluice.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** Throwaway keys, certificates and PEM files, made at test time. */
final class TestPki {
    /** How a private key is written to PEM. */
    enum KeyFormat {
        /** {@code PRIVATE KEY}. */
        PKCS8,
        /** {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1), as OpenSSL writes them traditionally. */
        TRADITIONAL
    }

    private TestPki() {
    }

    static KeyPair rsa() {
        return keyPair("RSA", 2048);
    }

    static KeyPair ec() {
        return CertificateSigning.newP256KeyPair();
    }

    static X509Certificate caCertificate(KeyPair keys, String cn) {
        Instant now = Instant.now();
        return certificate(keys, cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)), true);
    }

    /** A self-signed certificate, a CA or not. */
    static X509Certificate certificate(KeyPair keys, String cn, Instant notBefore, Instant notAfter, boolean ca) {
        X500Name name = new X500Name("CN=" + cn);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return CertificateSigning.sign(builder, keys.getPrivate());
    }

    /** An origin's certificate, issued by {@code issuerKeys}, with the given subject alternative names. */
    static X509Certificate serverCertificate(KeyPair issuerKeys, X509Certificate issuer, String cn,
                                             Instant notAfter, GeneralName... sans) {
        KeyPair keys = ec();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minus(Duration.ofDays(1))), Date.from(notAfter), new X500Name("CN=" + cn),
                keys.getPublic());
        try {
            if (sans.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return CertificateSigning.sign(builder, issuerKeys.getPrivate());
    }

    /** Writes the private key of {@code keys} mode 0600 and returns the file. */
    static Path writeKey(Path file, KeyPair keys, KeyFormat format) throws IOException {
        if (format == KeyFormat.PKCS8) {
            return writeSecret(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        }
        return writeSecret(file, keys.getPrivate() instanceof ECPrivateKey ? sec1(keys, true) : pem(keys.getPrivate()));
    }

    /**
     * An {@code EC PRIVATE KEY} as OpenSSL writes it: the curve named inside, the public key too unless
     * {@code withPublicKey} is false ({@code openssl ec -no_public}). The JDK's own encoding keeps the curve only
     * in the PKCS#8 wrapper, so BouncyCastle's converter cannot be used here.
     */
    static String sec1(KeyPair keys, boolean withPublicKey) throws IOException {
        SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                ((ECPrivateKey) keys.getPrivate()).getS(), withPublicKey ? publicKey.getPublicKeyData() : null,
                new X962Parameters(SECObjectIdentifiers.secp256r1));
        return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }

    static Path writeSecret(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static Path writeCertificates(Path file, X509Certificate... certificates) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            pem.append(pem(certificate));
        }
        return Files.writeString(file, pem);
    }

    /** A CA's cert and key written to {@code dir} (created if missing) as ca.crt and ca.key (0600). */
    static List<Path> writeCa(Path dir, KeyPair keys, X509Certificate certificate, KeyFormat format) throws IOException {
        Files.createDirectories(dir);
        return List.of(writeCertificates(dir.resolve("ca.crt"), certificate),
                writeKey(dir.resolve("ca.key"), keys, format));
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static KeyPair keyPair(String algorithm, int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
