package dev.packbase.ingest;

/**
 * Text that came from an upstream (a remote's error message, say) before it goes into JSON or a
 * log: a remote may send anything, a raw NUL byte included, and a control character in a log line
 * or an answer can forge lines or break a client that prints it.
 */
public final class UpstreamText {
    /** Longer messages are cut: a remote's error text is not bounded by anything but its whim. */
    static final int MAX_LENGTH = 1000;

    private UpstreamText() {
    }

    /**
     * Replaces every control character (C0, DEL, C1; line breaks and tabs too) by a space, folds runs
     * of spaces into one, trims, and cuts the result to {@link #MAX_LENGTH} characters. Null stays null.
     */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH + 1));
        boolean space = false;
        for (int i = 0; i < text.length() && out.length() <= MAX_LENGTH; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                space = out.length() > 0;
                continue;
            }
            if (space) {
                out.append(' ');
                space = false;
            }
            out.append(c);
        }
        if (out.length() > MAX_LENGTH) {
            out.setLength(MAX_LENGTH - 1);
            out.append('…');
        }
        return out.toString();
    }
}
