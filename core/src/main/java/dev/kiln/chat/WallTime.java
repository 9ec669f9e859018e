package dev.kiln.chat;

/**
 * The local date and time that the template global {@code strftime_now(format)} formats (transformers calls
 * {@code datetime.now().strftime(format)}); passed in with the inputs so rendering is deterministic.
 */
public record WallTime(int year, int month, int day, int hour, int minute, int second) {
    private static final String[] DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December"};

    public WallTime {
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            throw new IllegalArgumentException("invalid date-time " + year + "-" + month + "-" + day + " " + hour + ":" + minute + ":" + second);
        }
    }

    /** 0 = Sunday ... 6 = Saturday (Sakamoto's method, proleptic Gregorian). */
    int weekday() {
        int[] t = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
        int y = month < 3 ? year - 1 : year;
        return Math.floorMod(y + y / 4 - y / 100 + y / 400 + t[month - 1] + day, 7);
    }

    int dayOfYear() {
        int[] before = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return before[month - 1] + day + (leap && month > 2 ? 1 : 0);
    }

    /** Python's (C library's) strftime for the directives chat templates use, with glibc's {@code %-d} no-padding flag. */
    String strftime(String format, int line) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean pad = true;
            if (d == '-' && i + 1 < format.length()) {
                pad = false;
                d = format.charAt(++i);
            }
            int hour12 = hour % 12 == 0 ? 12 : hour % 12;
            switch (d) {
                case 'a' -> out.append(DAYS[weekday()], 0, 3);
                case 'A' -> out.append(DAYS[weekday()]);
                case 'w' -> out.append(weekday());
                case 'd' -> num(out, day, 2, pad);
                case 'e' -> out.append(day < 10 && pad ? " " : "").append(day);
                case 'b', 'h' -> out.append(MONTHS[month - 1], 0, 3);
                case 'B' -> out.append(MONTHS[month - 1]);
                case 'm' -> num(out, month, 2, pad);
                case 'y' -> num(out, Math.floorMod(year, 100), 2, pad);
                case 'Y' -> out.append(year);
                case 'H' -> num(out, hour, 2, pad);
                case 'I' -> num(out, hour12, 2, pad);
                case 'p' -> out.append(hour < 12 ? "AM" : "PM");
                case 'M' -> num(out, minute, 2, pad);
                case 'S' -> num(out, second, 2, pad);
                case 'j' -> num(out, dayOfYear(), 3, pad);
                case '%' -> out.append('%');
                default -> throw new TemplateException(TemplateException.Kind.UNSUPPORTED, line,
                        "strftime directive %" + d + " is not supported by Kiln's chat-template interpreter");
            }
        }
        return out.toString();
    }

    private static void num(StringBuilder out, int v, int width, boolean pad) {
        String s = Integer.toString(v);
        if (pad) for (int k = s.length(); k < width; k++) out.append('0');
        out.append(s);
    }
}
