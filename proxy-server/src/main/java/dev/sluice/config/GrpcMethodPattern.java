package dev.sluice.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code grpc: {service: "pkg.Svc", method: "Get*"}}: which calls a call rule applies to. Each part is a
 * case-sensitive glob where {@code *} stands for any run of characters (gRPC names are case-sensitive); an absent
 * part is {@code *}.
 *
 * @param service the fully qualified service name, {@code package.Service}, as in {@code :path /package.Service/Method}
 * @param method  the method name
 */
public record GrpcMethodPattern(String service, String method) {
    public static final String ANY = "*";

    /** {@code service} and {@code method} as one full-match pattern on {@code service + "/" + method}. */
    public Pattern toPattern() {
        return Pattern.compile(glob(service) + "/" + glob(method), Pattern.DOTALL);
    }

    private static String glob(String part) {
        return Arrays.stream(part.split("\\*", -1)).map(text -> text.isEmpty() ? "" : Pattern.quote(text))
                .collect(Collectors.joining(".*"));
    }
}
