package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.AuthConfig;
import dev.sluice.config.PasswordHash;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyAuthenticatorTest {
    /** Hashed once: PBKDF2 at the default cost is slow on purpose. */
    private static final PasswordHash ALICE = PasswordHasher.hash("wonderland".toCharArray());
    private final ProxyAuthenticator authenticator =
            new ProxyAuthenticator(new AuthConfig("corp", Map.of("alice", ALICE)));

    @Test
    void theRightPasswordYieldsTheUser() throws Exception {
        assertThat(result(authenticator.authenticate(basic("alice:wonderland")))).isEqualTo("alice");
    }

    @Test
    void aWrongPasswordYieldsNull() throws Exception {
        assertThat(result(authenticator.authenticate(basic("alice:looking-glass")))).isNull();
    }

    @Test
    void anUnknownUserYieldsNull() throws Exception {
        assertThat(result(authenticator.authenticate(basic("mallory:wonderland")))).isNull();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "Basic", "Basic !!!notbase64", "Bearer YWxpY2U6d29uZGVybGFuZA==",
            "Basic d29uZGVybGFuZA==", "Basic OndvbmRlcmxhbmQ=", "Basic /w=="})
    void aMissingOrMalformedHeaderYieldsNullAtOnce(String header) throws Exception {
        CompletableFuture<String> result = authenticator.authenticate(header);

        assertThat(result).isDone();
        assertThat(result.get()).isNull();
    }

    @Test
    void theSchemeIsCaseInsensitive() throws Exception {
        assertThat(result(authenticator.authenticate("basic " + encode("alice:wonderland")))).isEqualTo("alice");
    }

    @Test
    void aVerifiedHeaderIsAnsweredFromTheCacheWithACompletedFuture() throws Exception {
        String header = basic("alice:wonderland");
        result(authenticator.authenticate(header));

        CompletableFuture<String> again = authenticator.authenticate(header);

        assertThat(again).isCompletedWithValue("alice");
    }

    @Test
    void aFailedHeaderIsNotCached() throws Exception {
        String header = basic("alice:nope");
        result(authenticator.authenticate(header));

        CompletableFuture<String> again = authenticator.authenticate(header);

        assertThat(result(again)).isNull();
    }

    @Test
    void verificationRunsOnTheAuthenticatorsOwnThreads() throws Exception {
        String thread = authenticator.authenticate(basic("alice:wonderland"))
                .thenApply(user -> Thread.currentThread().getName())
                .get(30, TimeUnit.SECONDS);

        assertThat(thread).startsWith("sluice-auth-");
    }

    @Test
    void challengeNamesTheRealm() {
        assertThat(authenticator.challenge()).isEqualTo("Basic realm=\"corp\", charset=\"UTF-8\"");
        assertThat(authenticator.enabled()).isTrue();
        assertThat(new ProxyAuthenticator(AuthConfig.NONE).enabled()).isFalse();
    }

    @Test
    void nonAsciiPasswordsWork() throws Exception {
        PasswordHash hash = PasswordHasher.hash("h\u00e9ll\u00f6-\u4e16\u754c".toCharArray());
        ProxyAuthenticator unicode = new ProxyAuthenticator(new AuthConfig("sluice", Map.of("j\u00fcrgen", hash)));

        assertThat(result(unicode.authenticate(basic("j\u00fcrgen:h\u00e9ll\u00f6-\u4e16\u754c")))).isEqualTo("j\u00fcrgen");
    }

    private static String result(CompletableFuture<String> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static String basic(String userColonPassword) {
        return "Basic " + encode(userColonPassword);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
