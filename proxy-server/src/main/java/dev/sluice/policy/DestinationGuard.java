package dev.sluice.policy;

import dev.sluice.config.Cidr;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * SSRF guard on the <em>resolved</em> address (so DNS rebinding cannot bypass it): loopback, link-local
 * (169.254.0.0/16, fe80::/10), unspecified (0.0.0.0/8, ::), multicast, cloud metadata endpoints and the
 * proxy's own listen addresses are refused unless the decision's {@code allowDestinations} holds the address.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
public final class DestinationGuard {
    private static final Cidr THIS_NETWORK = Cidr.parse("0.0.0.0/8");
    /**
     * Cloud instance-metadata endpoints outside link-local space (169.254.169.254 is link-local already):
     * AWS's IPv6 IMDS sits in fc00::/7 and Alibaba's in 100.64.0.0/10, both ranges a private network may
     * legitimately use, so they are named one by one.
     */
    private static final Set<InetAddress> CLOUD_METADATA = Set.of(
            Cidr.literal("fd00:ec2::254"), Cidr.literal("100.100.100.200"));

    private final Set<InetAddress> own = new HashSet<>();

    /**
     * @param ownAddresses the addresses Sluice itself listens on (port-insensitive); a wildcard (0.0.0.0, ::)
     *                     stands for every address of every local interface, taken once here
     */
    public DestinationGuard(Collection<InetAddress> ownAddresses) {
        this(ownAddresses, DestinationGuard::interfaceAddresses);
    }

    DestinationGuard(Collection<InetAddress> ownAddresses, Supplier<Collection<InetAddress>> interfaceAddresses) {
        for (InetAddress address : ownAddresses) {
            if (address.isAnyLocalAddress()) {
                interfaceAddresses.get().forEach(a -> own.add(Cidr.unmapped(a)));
            } else {
                own.add(Cidr.unmapped(address));
            }
        }
    }

    /** Null when allowed, else a short reason such as {@code "loopback destination"}. */
    public String refusal(InetAddress resolved, Decision decision) {
        InetAddress address = Cidr.unmapped(resolved);
        if (Cidr.anyContains(decision.allowDestinations(), address)) return null;
        if (address.isLoopbackAddress()) return "loopback destination";
        if (address.isLinkLocalAddress()) return "link-local destination";
        if (address.isAnyLocalAddress() || THIS_NETWORK.contains(address)) return "unspecified destination";
        if (address.isMulticastAddress()) return "multicast destination";
        if (CLOUD_METADATA.contains(address)) return "cloud metadata destination";
        if (own.contains(address)) return "proxy's own address";
        return null;
    }

    private static Collection<InetAddress> interfaceAddresses() {
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(NetworkInterface::inetAddresses)
                    .toList();
        } catch (SocketException e) {
            // Refuse to start rather than run a guard that cannot recognise the proxy's own addresses.
            throw new UncheckedIOException("cannot list local interface addresses", e);
        }
    }
}
