package dev.sluice.certs;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** PEM in and out through BouncyCastle; keys load as JDK keys so the JDK's own providers sign with them. */
final class Pem {
    private Pem() {
    }

    /** Every {@code CERTIFICATE} block in {@code file}, in order; other blocks are skipped. */
    static List<X509Certificate> readCertificates(Path file, String what) throws CaException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = parser(file, what)) {
            for (Object object; (object = parser.readObject()) != null; ) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new CaException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
        return certificates;
    }

    /**
     * The one private key in {@code file}: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1
     * {@code EC PRIVATE KEY} (an {@code EC PARAMETERS} block before it, as {@code openssl ecparam -genkey}
     * writes, is skipped).
     */
    static PrivateKey readPrivateKey(Path file, String what) throws CaException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter()
                // BouncyCastle names EC keys "ECDSA", a name the JDK's KeyFactory does not know.
                .setAlgorithmMapping(X9ObjectIdentifiers.id_ecPublicKey, "EC");
        List<PrivateKey> keys = new ArrayList<>();
        try (PEMParser parser = parser(file, what)) {
            for (Object object; (object = parser.readObject()) != null; ) {
                if (object instanceof PEMKeyPair pair) {
                    // Not getKeyPair: SEC1 keys may omit the public half, and only the private half is needed.
                    keys.add(converter.getPrivateKey(pair.getPrivateKeyInfo()));
                } else if (object instanceof PrivateKeyInfo info) {
                    keys.add(converter.getPrivateKey(info));
                } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new CaException("the " + what + " " + file + " is encrypted; Sluice needs it unencrypted "
                            + "(protect it with file permissions): openssl pkey -in " + file + " -out <new file>");
                }
            }
        } catch (IOException e) {
            throw new CaException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (keys.size() != 1) {
            throw new CaException("the " + what + " " + file + " holds " + keys.size()
                    + " private keys; it must hold exactly one (PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        return keys.get(0);
    }

    static String encode(X509Certificate certificate) {
        return write(certificate);
    }

    /** Unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), readable by OpenSSL, Netty and the JDK alike. */
    static String encodePkcs8(PrivateKey key) {
        try {
            return write(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a freshly generated key", e);
        }
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    private static PEMParser parser(Path file, String what) throws CaException {
        try {
            Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
            return new PEMParser(reader);
        } catch (NoSuchFileException e) {
            throw new CaException("the " + what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw new CaException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
