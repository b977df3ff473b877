package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Globs match regardless of case: grpc-dotnet (ASP.NET Core endpoint routing) routes {@code /pkg.svc/delete} to
 * {@code pkg.Svc/Delete}, so a case-sensitive deny would be a way around it.
 */
class GrpcMethodPatternTest {
    @ParameterizedTest(name = "{0}/{1} on {2}/{3}: {4}")
    @CsvSource({
            // service        method      call service        call method  matches
            "pkg.Svc,         Get,        pkg.Svc,            Get,         true",
            "pkg.Svc,         Get,        pkg.Svc,            GetAll,      false",
            "pkg.Svc,         Get,        pkg.svc,            Get,         true",
            "pkg.Svc,         Get,        PKG.SVC,            GET,         true",
            "pkg.Svc,         Get,        pkgXSvc,            Get,         false",
            "pkg.Svc,         Get,        pkg.SvcX,           Get,         false",
            "pkg.Svc,         Get*,       pkg.Svc,            Get,         true",
            "pkg.Svc,         Get*,       pkg.Svc,            GetThing,    true",
            "pkg.Svc,         Get*,       pkg.Svc,            get,         true",
            "pkg.Svc,         Delete,     pkg.Svc,            dElEtE,      true",
            // letters whose other case is an ASCII one (long s, dotless i, Kelvin sign) match it: erring towards the rule
            "pkg.Svc,         List,       pkg.Svc,            L\u0131st,     true",
            "pkg.Svc,         Set,        pkg.Svc,            \u017Fet,      true",
            "pkg.Svc,         Kill,       pkg.Svc,            \u212Aill,     true",
            "pkg.Svc,         Get,        pkg.Svc,            Gets,        false",
            "pkg.Svc,         *Thing,     pkg.Svc,            GetThing,    true",
            "pkg.Svc,         *,          pkg.Svc,            Anything,    true",
            "*,               Check,      grpc.health.v1.Health, Check,    true",
            "*,               Check,      other.Svc,          Checks,      false",
            "pkg.v1.*,        *,          pkg.v1.Store,       Put,         true",
            "pkg.v1.*,        *,          pkg.v2.Store,       Put,         false",
            "*.v1.*,          *,          a.b.v1.Store,       Put,         true",
            "(,               *,          (,                  Put,         true",
            "(,               *,          x,                  Put,         false",
    })
    void servicesAndMethodsAreCaseInsensitiveGlobs(String service, String method, String callService,
                                                   String callMethod, boolean matches) {
        assertThat(new GrpcMethodPattern(service, method).matches(callService, callMethod)).isEqualTo(matches);
    }

    /**
     * Found by MatchCriteriaFuzzTest: as a regular expression, a glob with many stars backtracked through all of them
     * at once, and a client chooses the name it is matched against.
     */
    @Test
    @Timeout(10)
    void aGlobWithManyStarsAnswersALongNameAtOnce() {
        GrpcMethodPattern glob = new GrpcMethodPattern("*a*a*a*a*a*a*a*a*a*a*a*a*b", "*");

        assertThat(glob.matches("a".repeat(10_000), "Get")).isFalse();
        assertThat(glob.matches("a".repeat(10_000) + "b", "Get")).isTrue();
    }
}
