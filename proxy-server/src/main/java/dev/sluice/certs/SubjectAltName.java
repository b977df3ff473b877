package dev.sluice.certs;

import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * A DNS name or IP address a leaf is valid for, normalised so that equal names compare equal: DNS names lower
 * case without a trailing dot, IP addresses in canonical text ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}).
 */
public record SubjectAltName(Type type, String value) {
    public enum Type { DNS, IP }

    public SubjectAltName {
        if (type == Type.DNS) {
            value = value.toLowerCase(Locale.ROOT);
            value = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
            if (value.isEmpty()) {
                throw new IllegalArgumentException("empty DNS name");
            }
        } else {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(value);
            if (address == null) {
                throw new IllegalArgumentException("not an IP address: " + value);
            }
            value = NetUtil.bytesToIpAddress(address);
        }
    }

    /** An IP address when {@code host} is an IP literal, else a DNS name. */
    public static SubjectAltName forHost(String host) {
        return new SubjectAltName(NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)
                ? Type.IP : Type.DNS, host);
    }

    /** The DNS and IP names of {@code certificate}, in order; other kinds (email, URI) are left out. */
    public static List<SubjectAltName> of(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subjectAltName in " + certificate.getSubjectX500Principal(), e);
        }
        List<SubjectAltName> result = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                int tag = (Integer) name.get(0);
                if (tag == GeneralName.dNSName) {
                    result.add(new SubjectAltName(Type.DNS, (String) name.get(1)));
                } else if (tag == GeneralName.iPAddress) {
                    result.add(new SubjectAltName(Type.IP, (String) name.get(1)));
                }
            }
        }
        return result;
    }

    GeneralName toGeneralName() {
        return type == Type.DNS
                ? new GeneralName(GeneralName.dNSName, value)
                : new GeneralName(GeneralName.iPAddress,
                        new DEROctetString(NetUtil.createByteArrayFromIpAddressString(value)));
    }
}
