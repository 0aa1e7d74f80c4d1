package dev.packbase.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Upstream repositories that depend on each other, served by a loopback forge: {@code <p>leaf}
 * (tag v1.0.0, and an untagged commit on top), {@code <p>mid} (v1.0.0, depending on leaf v1.0.0) and
 * {@code <p>other} (v1.0.0, depending on leaf v1.0.0 too, a diamond, and on a {@code .path}). Each
 * dependency is declared with the hash a real Zig prints for its upstream URL, in that Zig's form
 * (legacy manifests and {@code 1220…} hashes for 0.13). {@code <p>clib} (v1.0.0, C sources under {@code c/})
 * is depended on as a GitHub archive URL ({@code https://github.com/test/<p>clib/archive/refs/tags/v1.0.0.tar.gz},
 * which {@link #githubRewrite} sends to the forge), with the hash Zig computed from the forge's archive.
 */
public final class DependencyTree {
    /** Key ({@code leaf}, {@code leaf-main}, {@code mid}, {@code other}) → the pinned upstream URL. */
    public final Map<String, String> url = new HashMap<>();
    /** Key → the hash Zig computed for that URL. */
    public final Map<String, String> hash = new HashMap<>();
    private final String prefix;
    private final boolean legacy;

    private DependencyTree(String prefix, boolean legacy) {
        this.prefix = prefix;
        this.legacy = legacy;
    }

    /** {@code PACKBASE_UPSTREAM_REWRITES} that sends the archive dependency's github.com URL to {@code forge}. */
    public static String githubRewrite(GitHttpBackend forge) {
        return "https://github.com/=http://127.0.0.1:" + forge.port() + "/";
    }

    /** The C function the archive package defines. */
    public static final String C_SOURCE = "int packbase_add(int a, int b) { return a + b; }\n";

    public static DependencyTree create(Path upstreamRoot, Path scratch, GitHttpBackend forge, String prefix, Zig zig,
            Path zigWork) throws Exception {
        DependencyTree t = new DependencyTree(prefix, zig.legacy());
        UpstreamRepo leaf = t.library(upstreamRoot, scratch, "leaf", "");
        leaf.lightweightTag("v1.0.0", leaf.commit("leaf 1.0.0", 1_700_000_000L));
        leaf.write("src/leaf.zig", "pub const name = \"leaf on main\";\n");
        String main = leaf.commit("leaf main", 1_700_100_000L);
        leaf.publish();
        t.pin(zig, zigWork, "leaf", "git+" + forge.url(prefix + "leaf") + "#v1.0.0");
        t.pin(zig, zigWork, "leaf-main", "git+" + forge.url(prefix + "leaf") + "#" + main);
        UpstreamRepo mid = t.library(upstreamRoot, scratch, "mid", t.dep("leaf", "leaf", false));
        mid.lightweightTag("v1.0.0", mid.commit("mid 1.0.0", 1_700_000_000L)).publish();
        t.pin(zig, zigWork, "mid", "git+" + forge.url(prefix + "mid") + "#v1.0.0");
        UpstreamRepo other = t.library(upstreamRoot, scratch, "other",
                t.dep("leaf", "leaf", false) + ".local = .{ .path = \"vendor\" }, ");
        other.lightweightTag("v1.0.0", other.commit("other 1.0.0", 1_700_000_000L)).publish();
        t.pin(zig, zigWork, "other", "git+" + forge.url(prefix + "other") + "#v1.0.0");
        UpstreamRepo clib = t.library(upstreamRoot, scratch, "clib", "");
        clib.write("build.zig.zon", ZigPackages.manifest(prefix + "clib", "1.0.0", t.legacy)
                .replace("\"src\" }", "\"src\", \"c\" }"))
                .write("c/add.c", C_SOURCE);
        clib.lightweightTag("v1.0.0", clib.commit("clib 1.0.0", 1_700_000_000L)).publish();
        t.pin(zig, zigWork, "clib", forge.archiveUrl("test", prefix + "clib", "refs/tags/v1.0.0", "tar.gz"));
        t.url.put("clib", "https://github.com/test/" + prefix + "clib/archive/refs/tags/v1.0.0.tar.gz");
        return t;
    }

    private UpstreamRepo library(Path upstreamRoot, Path scratch, String name, String deps) {
        String pkg = prefix + name;
        UpstreamRepo repo = UpstreamRepo.create(upstreamRoot, pkg, scratch);
        String zon = ZigPackages.manifest(pkg, "1.0.0", legacy).replace(".dependencies = .{},", ".dependencies = .{" + deps + "},");
        repo.write("build.zig.zon", zon)
                .write("build.zig", "const std = @import(\"std\");\npub fn build(b: *std.Build) void {\n    _ = b;\n}\n")
                .write("src/" + name + ".zig", "pub const name = \"" + pkg + "\";\n")
                .write("vendor/README", "vendored, outside .paths\n");
        return repo;
    }

    private void pin(Zig zig, Path zigWork, String key, String pinned) throws Exception {
        Path dir = Files.createDirectories(zigWork.resolve("fetch"));
        if (!Files.exists(dir.resolve("build.zig"))) {
            // Zig 0.16+ runs zig fetch through the build system: it needs a project.
            Files.writeString(dir.resolve("build.zig.zon"), ZigPackages.consumerManifest(legacy));
            Files.writeString(dir.resolve("build.zig"), "const std = @import(\"std\");\npub fn build(b: *std.Build) void {\n    _ = b;\n}\n");
        }
        url.put(key, pinned);
        hash.put(key, Zig.lastLine(zig.ok(dir, zigWork.resolve("cache"), "fetch", pinned).stdout()));
    }

    /** A dependency line {@code .name = .{ .url = …, .hash = … }, } for the package under {@code key}. */
    public String dep(String name, String key, boolean lazy) {
        return "." + name + " = .{ .url = \"" + url.get(key) + "\", .hash = \"" + hash.get(key) + "\""
                + (lazy ? ", .lazy = true" : "") + " }, ";
    }

    /** A consumer's build.zig.zon with these dependency lines, in the manifest form of this tree's Zig. */
    public String consumer(String deps) {
        return ZigPackages.consumerManifest(legacy).replace(".dependencies = .{},", ".dependencies = .{ " + deps + "},");
    }
}
