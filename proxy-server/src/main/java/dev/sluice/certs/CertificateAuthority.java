package dev.sluice.certs;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Sluice's own CA: the certificate clients trust and the key leaves are signed with. Loaded once at start,
 * immutable, safe to share between threads.
 */
public final class CertificateAuthority {
    static final String CERT = "CA certificate";
    static final String KEY = "CA key";
    /** Clocks on clients drift; a CA valid from an hour ago is not "not yet valid" anywhere. */
    static final Duration BACKDATE = Duration.ofHours(1);
    static final int VALIDITY_YEARS = 10;
    /** X.509 keyUsage bit 5. */
    private static final int KEY_CERT_SIGN = 5;

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String fingerprint;
    private final String pem;

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = CertificateFingerprint.sha256(certificate);
        this.pem = Pem.encode(certificate);
    }

    /**
     * Loads a CA from PEM files, refusing a key others can read, a key that is not the certificate's, and a
     * certificate that is not a CA or not valid now.
     */
    public static CertificateAuthority load(Path certFile, Path keyFile) throws CaException {
        List<X509Certificate> certificates = Pem.readCertificates(certFile, CERT);
        if (certificates.size() != 1) {
            throw new CaException("the " + CERT + " " + certFile + " holds " + certificates.size()
                    + " certificates; it must hold exactly one (PEM CERTIFICATE)");
        }
        X509Certificate certificate = certificates.get(0);
        requireUsableCa(certificate, certFile);
        KeyFilePermissions.check(keyFile);
        PrivateKey key = Pem.readPrivateKey(keyFile, KEY);
        if (!key.getAlgorithm().equals("RSA") && !key.getAlgorithm().equals("EC")) {
            throw new CaException("the " + KEY + " " + keyFile + " is " + key.getAlgorithm() + "; use an RSA or EC key");
        }
        requireMatch(certificate, key, certFile, keyFile);
        return new CertificateAuthority(certificate, key);
    }

    /**
     * Makes a new CA (EC P-256, valid 10 years) and writes its certificate (mode 0644) and key (PKCS#8, mode 0600).
     * Missing directories are created with mode 0700. Without {@code force}, an existing file is left alone and
     * nothing is written.
     */
    public static CertificateAuthority generate(Path certFile, Path keyFile, boolean force) throws CaException {
        if (!force) {
            for (Path file : List.of(certFile, keyFile)) {
                if (Files.exists(file)) {
                    throw new CaException(file + " already exists; pass --force to replace the CA "
                            + "(every client trusting the old one must then trust the new one)");
                }
            }
        }
        KeyPair keyPair = CertificateSigning.newP256KeyPair();
        X509Certificate certificate = selfSigned(keyPair, Instant.now());
        try {
            for (Path file : List.of(certFile, keyFile)) {
                Path parent = file.toAbsolutePath().getParent();
                if (!Files.isDirectory(parent)) {
                    Files.createDirectories(parent,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
            }
            // The key first: a certificate without its key would be a CA nobody can use.
            AtomicFiles.write(keyFile, Pem.encodePkcs8(keyPair.getPrivate()), KeyFilePermissions.OWNER_ONLY);
            AtomicFiles.write(certFile, Pem.encode(certificate), PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new CaException("cannot write the CA to " + certFile + " and " + keyFile + ": " + e, e);
        }
        return new CertificateAuthority(certificate, keyPair.getPrivate());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Like {@code openssl x509 -noout -fingerprint -sha256}: {@code AB:CD:…}, 32 bytes. */
    public String sha256Fingerprint() {
        return fingerprint;
    }

    /** The certificate as PEM, as served at {@code /ca.crt}. */
    public String certificatePem() {
        return pem;
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    private static X509Certificate selfSigned(KeyPair keyPair, Instant now) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Sluice")
                .addRDN(BCStyle.CN, "Sluice CA " + HexFormat.of().formatHex(CertificateSigning.randomBytes(4)))
                .build();
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = ZonedDateTime.ofInstant(now, ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
        BigInteger serial = CertificateSigning.randomSerial();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore),
                Date.from(notAfter), subject, keyPair.getPublic());
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            // pathLen 0: this CA signs leaves only, never another CA.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building the CA certificate failed", e);
        }
        return CertificateSigning.sign(builder, keyPair.getPrivate());
    }

    private static void requireUsableCa(X509Certificate certificate, Path certFile) throws CaException {
        if (certificate.getBasicConstraints() < 0) {
            throw new CaException("the " + CERT + " " + certFile + " (" + certificate.getSubjectX500Principal()
                    + ") is not a CA certificate: it lacks basicConstraints CA:TRUE");
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && !keyUsage[KEY_CERT_SIGN]) {
            throw new CaException("the " + CERT + " " + certFile + " may not sign certificates: its keyUsage "
                    + "lacks keyCertSign");
        }
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new CaException("the " + CERT + " " + certFile + " expired on "
                    + certificate.getNotAfter().toInstant() + "; make a new CA (sluice ca init --force)", e);
        } catch (CertificateNotYetValidException e) {
            throw new CaException("the " + CERT + " " + certFile + " is not valid before "
                    + certificate.getNotBefore().toInstant() + "; check this machine's clock", e);
        }
    }

    /** Signs a challenge with the key and verifies it with the certificate: works alike for RSA and EC. */
    private static void requireMatch(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile)
            throws CaException {
        boolean matches;
        try {
            byte[] challenge = CertificateSigning.randomBytes(32);
            String algorithm = CertificateSigning.signatureAlgorithm(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // An EC key against an RSA certificate lands here, as does a key on another curve.
            matches = false;
        }
        if (!matches) {
            throw new CaException("the " + KEY + " " + keyFile + " does not belong to the " + CERT + " " + certFile);
        }
    }
}
