package dev.sluice.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code grpc: {service: "pkg.Svc", method: "Get*"}}: which calls a call rule applies to. Each part is a glob where
 * {@code *} stands for any run of characters; an absent part is {@code *}. Globs match regardless of case (Unicode
 * case folding: the long s, U+017F, matches s too): gRPC names are case-sensitive, but some servers route them
 * without regard to case (grpc-dotnet, through ASP.NET Core routing, serves {@code /pkg.svc/delete} as
 * {@code pkg.Svc/Delete}), and a rule must hold for every spelling an origin would serve as the call it names.
 *
 * @param service the fully qualified service name, {@code package.Service}, as in {@code :path /package.Service/Method}
 * @param method  the method name
 */
public record GrpcMethodPattern(String service, String method) {
    public static final String ANY = "*";

    /** {@code service} and {@code method} as one full-match, case-insensitive pattern on {@code service + "/" + method}. */
    public Pattern toPattern() {
        return Pattern.compile(glob(service) + "/" + glob(method),
                Pattern.DOTALL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    private static String glob(String part) {
        return Arrays.stream(part.split("\\*", -1)).map(text -> text.isEmpty() ? "" : Pattern.quote(text))
                .collect(Collectors.joining(".*"));
    }
}
