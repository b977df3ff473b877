package dev.sluice.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Mints leaf certificates that stand in for an origin's: same DNS and IP names, signed by Sluice's CA, valid no
 * longer than the origin's certificate, the CA, or the configured maximum. Every leaf shares one EC P-256 key pair
 * made when the minter is built, so a mint costs one signature and no key generation. CPU work: call it off the
 * event loop ({@link LeafCache} does). Thread-safe.
 */
public final class LeafMinter {
    /** What a name-only leaf's validity is not bounded by: there is no origin certificate. */
    static final Instant NO_ORIGIN = Instant.MAX;
    /** Clients whose clocks run behind still accept a leaf minted a moment ago. */
    static final Duration BACKDATE = Duration.ofHours(1);
    /** RFC 5280's upper bound on a common name; longer names live only in the SAN extension. */
    private static final int MAX_COMMON_NAME = 64;

    private final CertificateAuthority ca;
    private final Duration maxValidity;
    private final Clock clock;
    private final KeyPair leafKeys = CertificateSigning.newP256KeyPair();
    private final SubjectKeyIdentifier subjectKeyId;
    private final AuthorityKeyIdentifier authorityKeyId;

    public LeafMinter(CertificateAuthority ca, Duration maxValidity) {
        this(ca, maxValidity, Clock.systemUTC());
    }

    LeafMinter(CertificateAuthority ca, Duration maxValidity, Clock clock) {
        this.ca = ca;
        this.maxValidity = maxValidity;
        this.clock = clock;
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            // One key for every leaf, so both identifiers are the same for every leaf too.
            this.subjectKeyId = extensions.createSubjectKeyIdentifier(leafKeys.getPublic());
            this.authorityKeyId = extensions.createAuthorityKeyIdentifier(ca.certificate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 for key identifiers is missing from this JVM", e);
        }
    }

    /** A leaf for {@code host} carrying the names of {@code upstream} and expiring no later than it. */
    public LeafCertificate mint(String host, X509Certificate upstream) {
        return mint(host, SubjectAltName.of(upstream), upstream.getNotAfter().toInstant());
    }

    /**
     * A leaf naming {@code host} alone (a DNS name, or an IP address for an IP literal), for a client Sluice answers
     * itself when there is no origin certificate to stand in for; valid no longer than the CA or the configured
     * maximum.
     *
     * @throws IllegalArgumentException when the CA has expired, or the name cannot be encoded
     */
    public LeafCertificate mintNameOnly(String host) {
        return mint(host, List.of(), NO_ORIGIN);
    }

    /**
     * A leaf for {@code host} (the client's SNI, or the CONNECT host when it sent none): its SANs are
     * {@code upstreamNames} plus {@code host}, without repeats; its subject CN is {@code host}.
     *
     * @throws IllegalArgumentException when the leaf would already be expired (the upstream certificate or the CA
     *                                  is), or a name cannot be encoded
     */
    public LeafCertificate mint(String host, List<SubjectAltName> upstreamNames, Instant upstreamNotAfter) {
        Set<SubjectAltName> names = new LinkedHashSet<>(upstreamNames);
        names.add(SubjectAltName.forHost(host));
        Instant now = clock.instant();
        Instant notAfter = notAfter(host, upstreamNotAfter, now);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(),
                CertificateSigning.randomSerial(), Date.from(now.minus(BACKDATE)),
                Date.from(notAfter), subject(host), leafKeys.getPublic());
        List<GeneralName> generalNames = new ArrayList<>(names.size());
        for (SubjectAltName name : names) {
            generalNames.add(name.toGeneralName());
        }
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(generalNames.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, subjectKeyId)
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
        } catch (CertIOException e) {
            throw new IllegalArgumentException("cannot encode the names of a leaf for " + host, e);
        }
        return new LeafCertificate(CertificateSigning.sign(builder, ca.privateKey()), ca.certificate(),
                leafKeys.getPrivate());
    }

    /**
     * Throws what {@link #mint} would for a leaf already expired, without the cost of minting: lets a caller
     * refuse at once (and lets {@link LeafCache} keep such requests out of the cache).
     *
     * @param upstreamNotAfter the origin certificate's end, or {@link #NO_ORIGIN} for {@link #mintNameOnly}
     */
    public void requireMintable(String host, Instant upstreamNotAfter) {
        notAfter(host, upstreamNotAfter, clock.instant());
    }

    private Instant notAfter(String host, Instant upstreamNotAfter, Instant now) {
        Instant notAfter = earliest(upstreamNotAfter, ca.certificate().getNotAfter().toInstant(), now.plus(maxValidity));
        if (!notAfter.isAfter(now)) {
            throw new IllegalArgumentException("a leaf for " + host + " would be expired: valid only until " + notAfter
                    + " (the upstream certificate or the CA has expired)");
        }
        return notAfter;
    }

    private static X500Name subject(String host) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        if (host.length() <= MAX_COMMON_NAME) {
            name.addRDN(BCStyle.CN, host);
        } else {
            name.addRDN(BCStyle.O, "Sluice");
        }
        return name.build();
    }

    private static Instant earliest(Instant a, Instant b, Instant c) {
        Instant min = a.isBefore(b) ? a : b;
        return min.isBefore(c) ? min : c;
    }
}
