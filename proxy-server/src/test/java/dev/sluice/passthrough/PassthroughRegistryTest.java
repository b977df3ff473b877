package dev.sluice.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.Cidr;
import dev.sluice.config.PassthroughConfig;
import dev.sluice.config.PassthroughConfig.Mtls;
import dev.sluice.config.PassthroughConfig.Pinned;
import dev.sluice.observe.Metrics;
import dev.sluice.testing.Concurrently;
import dev.sluice.testing.PrometheusText;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What automatic passthrough remembers, and for how long: mTLS origins for their ttl; refusing client networks (per
 * server name and port) once they reach the threshold, each refusal within the ttl of the one before; never past the
 * bound.
 */
class PassthroughRegistryTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String ORIGIN = "origin.test";
    /** A refusal splices at once, and the table has room for far more than one network may hold. */
    private static final PassthroughConfig PINNED_ONCE = new PassthroughConfig(Mtls.DEFAULTS,
            new Pinned(true, HOUR, 1, 32, 64), PassthroughConfig.DEFAULTS.maxEntries());

    private final FakeTime time = new FakeTime();
    private final Metrics metrics = Metrics.create();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void anOriginThatAskedForACertificateIsSplicedUntilItsTtlHasPassed() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);

        registry.originAskedForCertificate(ORIGIN, 443);

        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.MTLS);
        time.advance(HOUR.minusSeconds(1));
        assertThat(registry.remembered(address("192.0.2.9"), ORIGIN, 443, ORIGIN))
                .as("any client, and a hit does not extend it").isEqualTo(PassthroughReason.MTLS);
        time.advance(Duration.ofSeconds(2));
        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isNull();
    }

    @Test
    void anOriginIsItsHostAsPolicyComparesItAndItsPort() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);

        registry.originAskedForCertificate("Origin.TEST.", 8443);

        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 8443, ORIGIN)).isEqualTo(PassthroughReason.MTLS);
        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isNull();
        assertThat(registry.remembered(address("10.0.0.1"), "other.test", 8443, "other.test")).isNull();
    }

    @Test
    void withMtlsDisabledNoOriginIsLearned() {
        PassthroughRegistry registry = registry(new PassthroughConfig(new Mtls(false, HOUR), Pinned.DEFAULTS, 100));

        registry.originAskedForCertificate(ORIGIN, 443);

        assertThat(registry.mtlsEnabled()).isFalse();
        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isNull();
        assertThat(entries(registry)).isEmpty();
    }

    @Test
    void aClientNetworkIsSplicedOnceItsRefusalsReachTheThreshold() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);
        InetAddress client = address("10.0.0.1");

        registry.clientRefusedLeaf(client, ORIGIN, 443, "unknown_ca");
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).as("one refusal of two").isNull();
        registry.clientRefusedLeaf(client, ORIGIN, 443, "closed");

        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(client, "other.test", 443, "other.test")).as("only that name").isNull();
    }

    @Test
    void refusalsOnOnePortNeverSpliceTheNameOnAnother() {
        PassthroughRegistry registry = registry(pinned(1, 32, 64));
        InetAddress client = address("10.0.0.1");

        registry.clientRefusedLeaf(client, ORIGIN, 8443, "unknown_ca");

        assertThat(registry.remembered(client, ORIGIN, 8443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).as("another service of that name").isNull();
        assertThat(entries(registry)).singleElement().satisfies(entry -> assertThat(entry.port()).isEqualTo(8443));
    }

    @Test
    void refusalsCountOnlyWithinTheTtlOfTheLatestAndTheEntryLivesTheTtlFromIt() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);
        InetAddress client = address("10.0.0.1");

        registry.clientRefusedLeaf(client, ORIGIN, 443, "certificate_unknown");
        time.advance(HOUR.plusSeconds(1));
        registry.clientRefusedLeaf(client, ORIGIN, 443, "certificate_unknown");
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).as("the first was forgotten").isNull();

        time.advance(Duration.ofMinutes(50));
        registry.clientRefusedLeaf(client, ORIGIN, 443, "certificate_unknown");
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        time.advance(Duration.ofMinutes(59));
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        time.advance(Duration.ofMinutes(2));
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).as("an hour after the latest refusal").isNull();
    }

    @Test
    void anIpv4ClientNetworkIsItsAddressMaskedToTheIpv4Prefix() {
        PassthroughRegistry registry = registry(pinned(1, 24, 64));

        registry.clientRefusedLeaf(address("10.1.2.3"), ORIGIN, 443, "bad_certificate");

        assertThat(registry.remembered(address("10.1.2.200"), ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(address("::ffff:10.1.2.7"), ORIGIN, 443, ORIGIN))
                .as("IPv4-mapped").isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(address("10.1.3.3"), ORIGIN, 443, ORIGIN)).isNull();
        assertThat(entries(registry)).singleElement()
                .satisfies(entry -> assertThat(entry.client()).isEqualTo("10.1.2.0/24"));
    }

    @Test
    void anIpv6ClientNetworkIsItsAddressMaskedToTheIpv6Prefix() {
        PassthroughRegistry registry = registry(pinned(1, 32, 64));

        registry.clientRefusedLeaf(address("2001:db8:1:2::5"), ORIGIN, 443, "bad_certificate");

        assertThat(registry.remembered(address("2001:db8:1:2:ffff::1"), ORIGIN, 443, ORIGIN))
                .isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(address("2001:db8:1:3::5"), ORIGIN, 443, ORIGIN)).isNull();
    }

    @Test
    void withA32BitPrefixEachIpv4AddressIsItsOwnNetwork() {
        PassthroughRegistry registry = registry(pinned(1, 32, 128));

        registry.clientRefusedLeaf(address("127.0.0.1"), ORIGIN, 443, "bad_certificate");

        assertThat(registry.remembered(address("127.0.0.1"), ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(address("127.0.0.2"), ORIGIN, 443, ORIGIN)).isNull();
    }

    @Test
    void withPinnedDisabledNoRefusalIsCounted() {
        PassthroughRegistry registry = registry(new PassthroughConfig(Mtls.DEFAULTS,
                new Pinned(false, HOUR, 1, 32, 64), 100));

        registry.clientRefusedLeaf(address("10.0.0.1"), ORIGIN, 443, "unknown_ca");

        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isNull();
        assertThat(entries(registry)).isEmpty();
    }

    @Test
    void eachKindHoldsAtMostMaxEntries() {
        PassthroughRegistry registry = registry(new PassthroughConfig(Mtls.DEFAULTS, Pinned.DEFAULTS, 10));

        for (int i = 0; i < 200; i++) {
            registry.originAskedForCertificate("host" + i + ".test", 443);
            registry.clientRefusedLeaf(address("10.0." + i + ".1"), ORIGIN, 443, "unknown_ca");
        }

        List<PassthroughEntry> entries = entries(registry);
        assertThat(entries.stream().filter(e -> e.reason() == PassthroughReason.MTLS)).hasSizeLessThanOrEqualTo(10);
        assertThat(entries.stream().filter(e -> e.reason() == PassthroughReason.PINNED)).hasSizeLessThanOrEqualTo(10);
        assertThat(gauge("mtls")).isLessThanOrEqualTo(10);
    }

    @Test
    void oneClientNetworkFloodingServerNamesFillsOnlyItsOwnShareOfThePinnedTable() {
        PassthroughRegistry registry = registry(PINNED_ONCE);
        InetAddress flooder = address("10.0.0.66");

        for (int i = 0; i < 500; i++) {
            registry.clientRefusedLeaf(flooder, "made-up-" + i + ".test", 443, "unknown_ca");
        }
        registry.clientRefusedLeaf(address("10.0.0.1"), ORIGIN, 443, "unknown_ca");

        assertThat(entries(registry)).filteredOn(entry -> entry.client().equals("10.0.0.66/32"))
                .hasSize(PassthroughRegistry.MAX_PINNED_PER_NETWORK);
        assertThat(registry.remembered(address("10.0.0.1"), ORIGIN, 443, ORIGIN)).isEqualTo(PassthroughReason.PINNED);
        assertThat(registry.remembered(flooder, "made-up-499.test", 443, "made-up-499.test")).isNull();
        assertThat(registry.remembered(flooder, "made-up-0.test", 443, "made-up-0.test"))
                .as("what it held first stays").isEqualTo(PassthroughReason.PINNED);
        assertThat(PrometheusText.parse(metrics.scrape()).value("sluice_passthrough_network_full_total"))
                .isEqualTo(500 - PassthroughRegistry.MAX_PINNED_PER_NETWORK);
    }

    @Test
    void theShareOfANetworkHoldsWhenManyThreadsRefuseAtOnce() throws Exception {
        PassthroughRegistry registry = registry(PINNED_ONCE);
        InetAddress flooder = address("10.0.0.66");
        Concurrently.run(4, thread -> {
            for (int i = 0; i < 200; i++) {
                registry.clientRefusedLeaf(flooder, "name-" + (i % 150) + "-" + thread + ".test", 443, "unknown_ca");
            }
        });

        assertThat(entries(registry)).hasSize(PassthroughRegistry.MAX_PINNED_PER_NETWORK);
    }

    @Test
    void aFullNetworkGetsItsPlacesBackAsItsEntriesExpireOrAreCleared() {
        PassthroughRegistry registry = registry(PINNED_ONCE);
        InetAddress client = address("10.0.0.1");
        for (int i = 0; i < PassthroughRegistry.MAX_PINNED_PER_NETWORK; i++) {
            registry.clientRefusedLeaf(client, "name-" + i + ".test", 443, "unknown_ca");
        }
        registry.clientRefusedLeaf(client, "one-more.test", 443, "unknown_ca");
        assertThat(registry.remembered(client, "one-more.test", 443, "one-more.test")).as("full").isNull();
        registry.clientRefusedLeaf(client, "name-0.test", 443, "unknown_ca");
        assertThat(entries(registry)).filteredOn(entry -> entry.host().equals("name-0.test")).singleElement()
                .as("a name it holds still counts").satisfies(entry -> assertThat(entry.count()).isEqualTo(2));

        cleared(registry, "name-1.test");
        registry.clientRefusedLeaf(client, "one-more.test", 443, "unknown_ca");
        assertThat(registry.remembered(client, "one-more.test", 443, "one-more.test")).as("after a clear")
                .isEqualTo(PassthroughReason.PINNED);

        time.advance(HOUR.plusSeconds(1));
        registry.clientRefusedLeaf(client, "later.test", 443, "unknown_ca");
        assertThat(registry.remembered(client, "later.test", 443, "later.test")).as("after expiry")
                .isEqualTo(PassthroughReason.PINNED);
        assertThat(entries(registry)).singleElement().satisfies(entry -> assertThat(entry.host()).isEqualTo("later.test"));
    }

    @Test
    void entriesListWhatWasLearnedWhenAndHowOftenItWasUsed() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);
        InetAddress client = address("10.0.0.1");
        registry.originAskedForCertificate(ORIGIN, 443);
        registry.remembered(client, ORIGIN, 443, ORIGIN);
        registry.remembered(client, ORIGIN, 443, ORIGIN);
        registry.clientRefusedLeaf(client, "pinned.test", 443, "unknown_ca");
        time.advance(Duration.ofMinutes(5));
        registry.clientRefusedLeaf(client, "pinned.test", 443, "unknown_ca");
        registry.remembered(client, "pinned.test", 443, "pinned.test");

        assertThat(entries(registry)).containsExactly(
                new PassthroughEntry(PassthroughReason.MTLS, ORIGIN, 443, null, 1, true, FakeTime.START,
                        FakeTime.START, FakeTime.START.plus(HOUR), 2),
                new PassthroughEntry(PassthroughReason.PINNED, "pinned.test", 443, "10.0.0.1/32", 2, true,
                        FakeTime.START, FakeTime.START.plus(Duration.ofMinutes(5)),
                        FakeTime.START.plus(Duration.ofMinutes(65)), 1));
    }

    @Test
    void aPinnedEntryBelowItsThresholdIsListedAsNotSplicing() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);

        registry.clientRefusedLeaf(address("10.0.0.1"), ORIGIN, 443, "unknown_ca");

        assertThat(entries(registry)).singleElement().satisfies(entry -> {
            assertThat(entry.count()).isEqualTo(1);
            assertThat(entry.splicing()).isFalse();
        });
    }

    @Test
    void clearingAHostForgetsItsOriginAndItsServerNameOnEveryPortAndSaysWhat() {
        PassthroughRegistry registry = registry(pinned(1, 32, 64));
        InetAddress client = address("10.0.0.1");
        registry.originAskedForCertificate(ORIGIN, 443);
        registry.clientRefusedLeaf(client, ORIGIN, 443, "unknown_ca");
        registry.clientRefusedLeaf(client, ORIGIN, 8443, "unknown_ca");
        registry.clientRefusedLeaf(client, "other.test", 443, "unknown_ca");

        List<PassthroughEntry> removed = cleared(registry, "ORIGIN.test");

        assertThat(removed).extracting(PassthroughEntry::reason)
                .containsExactly(PassthroughReason.MTLS, PassthroughReason.PINNED, PassthroughReason.PINNED);
        assertThat(registry.remembered(client, ORIGIN, 443, ORIGIN)).isNull();
        assertThat(registry.remembered(client, ORIGIN, 8443, ORIGIN)).isNull();
        assertThat(registry.remembered(client, "other.test", 443, "other.test")).isEqualTo(PassthroughReason.PINNED);
        assertThat(cleared(registry, null)).extracting(PassthroughEntry::host).containsExactly("other.test");
        assertThat(entries(registry)).isEmpty();
    }

    @Test
    void learningIsCountedOncePerEntryAndEntriesAreAGauge() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);

        registry.originAskedForCertificate(ORIGIN, 443);
        registry.originAskedForCertificate(ORIGIN, 443);
        for (int i = 0; i < 3; i++) {
            registry.clientRefusedLeaf(address("10.0.0.1"), ORIGIN, 443, "unknown_ca");
        }
        registry.clientRefusedLeaf(address("10.0.0.2"), ORIGIN, 443, "unknown_ca");

        PrometheusText scraped = PrometheusText.parse(metrics.scrape());
        assertThat(scraped.value("sluice_passthrough_learned_total", "reason", "mtls")).isEqualTo(1);
        assertThat(scraped.value("sluice_passthrough_learned_total", "reason", "pinned"))
                .as("10.0.0.1 reached the threshold once; 10.0.0.2 has not").isEqualTo(1);
        assertThat(gauge("mtls")).isEqualTo(1);
        assertThat(gauge("pinned")).isEqualTo(2);
    }

    @Test
    void aListingShowsTheLatestEntriesOfEachKindAndSaysHowManyThereAre() {
        PassthroughRegistry registry = registry(PINNED_ONCE);
        for (int i = 0; i < 5; i++) {
            registry.originAskedForCertificate("origin-" + i + ".test", 443);
            registry.clientRefusedLeaf(address("10.0.0." + i), ORIGIN, 443, "unknown_ca");
            time.advance(Duration.ofMinutes(1));
        }

        PassthroughListing listing = registry.entries(2);

        assertThat(listing.entries()).extracting(entry -> entry.reason() + " " + entry.host() + " " + entry.client())
                .containsExactly("MTLS origin-3.test null", "MTLS origin-4.test null",
                        "PINNED origin.test 10.0.0.3/32", "PINNED origin.test 10.0.0.4/32");
        assertThat(listing.mtls()).isEqualTo(5);
        assertThat(listing.pinned()).isEqualTo(5);
        assertThat(listing.truncated()).isTrue();
        assertThat(registry.entries(5).truncated()).isFalse();
    }

    @Test
    void aClearForgetsEveryMatchButListsOnlyTheLatest() {
        PassthroughRegistry registry = registry(PassthroughConfig.DEFAULTS);
        for (int i = 0; i < 5; i++) {
            registry.originAskedForCertificate(ORIGIN, 8440 + i);
            time.advance(Duration.ofMinutes(1));
        }

        PassthroughListing removed = registry.clear(ORIGIN, 2);

        assertThat(removed.entries()).extracting(PassthroughEntry::port).containsExactly(8443, 8444);
        assertThat(removed.mtls()).isEqualTo(5);
        assertThat(removed.truncated()).isTrue();
        assertThat(entries(registry)).isEmpty();
    }

    /** Every entry held. */
    private static List<PassthroughEntry> entries(PassthroughRegistry registry) {
        return registry.entries(Integer.MAX_VALUE).entries();
    }

    /** Every entry forgotten. */
    private static List<PassthroughEntry> cleared(PassthroughRegistry registry, String host) {
        return registry.clear(host, Integer.MAX_VALUE).entries();
    }

    private double gauge(String reason) {
        return PrometheusText.parse(metrics.scrape()).value("sluice_passthrough_entries", "reason", reason);
    }

    private PassthroughRegistry registry(PassthroughConfig config) {
        return new PassthroughRegistry(config, metrics, time, time);
    }

    private static PassthroughConfig pinned(int threshold, int ipv4Prefix, int ipv6Prefix) {
        return new PassthroughConfig(Mtls.DEFAULTS, new Pinned(true, HOUR, threshold, ipv4Prefix, ipv6Prefix), 100);
    }

    private static InetAddress address(String literal) {
        return Cidr.literal(literal);
    }
}
