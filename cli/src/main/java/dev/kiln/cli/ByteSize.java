package dev.kiln.cli;

import picocli.CommandLine;

import java.util.Locale;

/**
 * Parses sizes like {@code 32MB}, {@code 512KiB}, {@code 1G} or {@code 4096}. Units are binary (K = 1024,
 * M = 1024², G = 1024³) whether written KB or KiB, as for file sizes.
 */
public final class ByteSize implements CommandLine.ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        String s = value.trim().toUpperCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        String unit = s.substring(i).trim();
        long shift = switch (unit) {
            case "", "B" -> 0;
            case "K", "KB", "KIB" -> 10;
            case "M", "MB", "MIB" -> 20;
            case "G", "GB", "GIB" -> 30;
            default -> -1;
        };
        if (i == 0 || shift < 0 || i > 12) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a size: expected a whole number with an optional unit B, KB, MB or GB (e.g. 32MB)");
        }
        long n = Long.parseLong(s.substring(0, i)) << shift;
        if (n <= 0) throw new CommandLine.TypeConversionException("size '" + value + "' must be positive");
        return n;
    }

    /** {@code 1.1 MiB}-style text for logs. */
    public static String format(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
