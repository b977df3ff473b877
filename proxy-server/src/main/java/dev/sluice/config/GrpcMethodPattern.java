package dev.sluice.config;

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

    /**
     * Whether the call {@code callService/callMethod} is one this pattern names. Matched by a glob walk that backs up
     * to the last {@code *} only, so it takes at most pattern length times name length steps: a regular expression
     * would backtrack through every {@code *} at once, and the names come from a client's {@code :path}.
     */
    public boolean matches(String callService, String callMethod) {
        return globMatches((service + "/" + method).codePoints().toArray(),
                (callService + "/" + callMethod).codePoints().toArray());
    }

    private static boolean globMatches(int[] glob, int[] name) {
        int g = 0;
        int n = 0;
        int star = -1;      // the glob position after the last '*' seen
        int starName = 0;   // the name position that '*' currently stops at
        while (n < name.length) {
            if (g < glob.length && glob[g] == '*') {
                star = ++g;
                starName = n;
            } else if (g < glob.length && sameIgnoringCase(glob[g], name[n])) {
                g++;
                n++;
            } else if (star >= 0) {
                g = star;
                n = ++starName;
            } else {
                return false;
            }
        }
        while (g < glob.length && glob[g] == '*') {
            g++;
        }
        return g == glob.length;
    }

    /** As a case-insensitive Unicode regular expression compares: either case mapping may meet. */
    private static boolean sameIgnoringCase(int a, int b) {
        return a == b || Character.toUpperCase(a) == Character.toUpperCase(b)
                || Character.toLowerCase(a) == Character.toLowerCase(b);
    }
}
