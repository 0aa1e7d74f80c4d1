package dev.packbase.web;

/**
 * Text from upstream (names, paths, READMEs, messages) made safe to put into HTML. Escaping covers markup;
 * {@link #visible} also shows invisible direction controls, which could otherwise make a file name read
 * differently from what it is (a Trojan Source trick).
 */
final class Html {
    private Html() {
    }

    /** Escapes text for element content and quoted attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (r != null || c < 0x20 && c != '\n' && c != '\t' || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(r != null ? r : "\uFFFD");
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** Whether {@code c} changes the direction of the text around it without being seen. */
    static boolean bidiControl(int c) {
        return c == 0x061C || c == 0x200E || c == 0x200F || c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069;
    }

    /** {@link #esc} with every direction control replaced by a visible {@code <U+202E>} mark. */
    static String visible(String s) {
        if (s == null) {
            return "";
        }
        boolean any = s.chars().anyMatch(Html::bidiControl);
        if (!any) {
            return esc(s);
        }
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (bidiControl(c)) {
                out.append(String.format("<U+%04X>", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return esc(out.toString());
    }

    /** Percent-encodes a path segment for an {@code href} (then still to be {@link #esc escaped}). */
    static String segment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~' || c == '+') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    /** {@link #segment} for each segment of a {@code /}-separated path. */
    static String path(String p) {
        StringBuilder out = new StringBuilder();
        String[] parts = p.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            out.append(segment(parts[i]));
        }
        return out.toString();
    }
}
