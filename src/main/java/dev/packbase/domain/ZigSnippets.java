package dev.packbase.domain;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ready-to-paste {@code build.zig.zon} dependency line for a tarball:
 * {@code .name = .{ .url = "<tarball URL>", .hash = "<hash>" },}. The key is the package's own
 * {@code .name} (what {@code zig fetch --save} would use), quoted as {@code .@"…"} when it is not a
 * plain identifier.
 */
public final class ZigSnippets {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> KEYWORDS = Set.of("addrspace", "align", "allowzero", "and", "anyframe", "anytype",
            "asm", "break", "callconv", "catch", "comptime", "const", "continue", "defer", "else", "enum", "errdefer",
            "error", "export", "extern", "fn", "for", "if", "inline", "linksection", "noalias", "noinline", "nosuspend",
            "opaque", "or", "orelse", "packed", "pub", "resume", "return", "struct", "suspend", "switch", "test",
            "threadlocal", "try", "union", "unreachable", "var", "volatile", "while");

    private ZigSnippets() {
    }

    /**
     * The dependency line, with the new hash form (Zig 0.14+) unless {@code legacy} asks for the
     * {@code 1220…} form (Zig 0.12/0.13); null when that hash does not exist for the package.
     */
    public static String dependency(String packageName, ZigInfo zig, String tarballUrl, boolean legacy) {
        if (zig == null) {
            return null;
        }
        String hash = legacy ? zig.legacyHash() : zig.hash();
        if (hash == null) {
            return null;
        }
        String name = zig.name() != null ? zig.name() : packageName;
        String key = IDENTIFIER.matcher(name).matches() && !KEYWORDS.contains(name) ? "." + name
                : ".@\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        return key + " = .{ .url = \"" + tarballUrl + "\", .hash = \"" + hash + "\" },";
    }
}
