package dev.sluice.bench;

import java.util.Locale;
import picocli.CommandLine;

/** {@code 1g}, {@code 512m}, {@code 64k}, {@code 1000}: binary units (1g = 2^30 bytes). */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        return parse(text);
    }

    static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replaceFirst("i?b$", "");
        if (t.isEmpty()) throw new IllegalArgumentException("empty size");
        int shift = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long value = Long.parseLong(digits);
        if (value <= 0) throw new IllegalArgumentException("size must be positive: " + text);
        return Math.multiplyExact(value, 1L << shift);
    }

    static String format(long bytes) {
        if (bytes % (1L << 30) == 0) return bytes / (1L << 30) + " GiB";
        if (bytes % (1L << 20) == 0) return bytes / (1L << 20) + " MiB";
        return bytes + " bytes";
    }
}
