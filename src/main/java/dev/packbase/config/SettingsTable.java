package dev.packbase.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the README's settings tables from {@link Setting} and {@link Settings.Retired}, so the list exists
 * once. {@code ConfigLoaderTest} fails when README.md's generated block differs; regenerate it with
 * <pre>./mvnw -o -q compile &amp;&amp; java -cp target/classes dev.packbase.config.SettingsTable --write README.md</pre>
 * Without arguments it prints the block. JDK only (see {@link Setting}): the launcher's {@code --help} uses
 * {@link #standaloneUsage}.
 */
public final class SettingsTable {
    public static final String BEGIN = "<!-- BEGIN settings table: generated from dev.packbase.config.Setting by SettingsTable -->";
    public static final String END = "<!-- END settings table -->";
    static final String REGENERATE =
            "./mvnw -o -q compile && java -cp target/classes dev.packbase.config.SettingsTable --write README.md";

    private SettingsTable() {
    }

    /** The generated block, markers included, ending in a newline. */
    public static String block() {
        StringBuilder out = new StringBuilder(BEGIN).append('\n');
        out.append("| variable | default | meaning |\n|---|---|---|\n");
        for (Setting setting : Setting.values()) {
            out.append("| `").append(setting.envName()).append("` | ").append(shownDefault(setting)).append(" | ")
                    .append(setting.description()).append(" |\n");
        }
        out.append('\n');
        out.append("Former names still work, each with one deprecation warning in the log:\n\n");
        out.append("| former variable | use instead | its value now |\n|---|---|---|\n");
        for (Settings.Retired retired : Settings.Retired.values()) {
            out.append("| `").append(retired.envName()).append("` | `").append(retired.replacement().envName())
                    .append("` | ").append(retired.advice()).append(" |\n");
        }
        return out.append(END).append('\n').toString();
    }

    /** The README's way of showing a default: unset, the build's release, or the value (sizes also in KiB/MiB/GiB). */
    static String shownDefault(Setting setting) {
        if (setting == Setting.RELEASE) {
            return "the build's";
        }
        String value = setting.defaultValue();
        if (value == null || value.isEmpty()) {
            return "unset";
        }
        String shown = "`" + value + "`";
        if (setting.envName().endsWith("_BYTES")) {
            long bytes = Long.parseLong(value);
            String[] units = {"GiB", "MiB", "KiB"};
            for (int i = 0; i < units.length; i++) {
                long unit = 1L << (10 * (3 - i));
                if (bytes >= unit && bytes % unit == 0) {
                    return shown + " (" + bytes / unit + " " + units[i] + ")";
                }
            }
        }
        return shown;
    }

    /** The standalone-only settings for {@code java -jar packbase.war --help}, one line each. */
    public static String standaloneUsage() {
        StringBuilder out = new StringBuilder();
        for (Setting setting : Setting.values()) {
            if (setting.standaloneOnly()) {
                String meaning = setting.description().substring("standalone only: ".length()).replace("`", "");
                String def = setting.defaultValue() == null ? "" : " (default " + setting.defaultValue() + ")";
                out.append(String.format(Locale.ROOT, "  %-31s %s%n      %s%s%n", setting.dottedName(),
                        setting.envName(), meaning, def));
            }
        }
        return out.toString();
    }

    /** Replaces the generated block in {@code text}; fails when the markers are missing. */
    static String replaceBlock(String text) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no '" + BEGIN + "' ... '" + END + "' block");
        }
        int after = text.indexOf('\n', end);
        return text.substring(0, begin) + block() + (after < 0 ? "" : text.substring(after + 1));
    }

    /** The generated block as it stands in {@code text}, or {@code null} when the markers are missing. */
    static String currentBlock(String text) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            return null;
        }
        return text.substring(begin, end + END.length()) + "\n";
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--write")) {
            Path file = Path.of(args[1]);
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Files.writeString(file, replaceBlock(text), StandardCharsets.UTF_8);
            return;
        }
        if (args.length != 0) {
            System.err.println("usage: SettingsTable [--write README.md]");
            System.exit(2);
        }
        System.out.print(block());
    }
}
