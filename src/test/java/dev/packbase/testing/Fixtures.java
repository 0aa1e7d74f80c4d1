package dev.packbase.testing;

import java.nio.file.Path;

/**
 * The standard upstream used across tests: everything a tarball must reproduce (an executable
 * script, a symlink, nested directories, a path longer than 100 bytes, a non-ASCII name) and every
 * kind of tag (annotated, lightweight, pre-release, a tag on a tree, a tag whose name has a slash).
 */
public final class Fixtures {
    public static final long T1 = 1_700_000_000L;
    public static final long T2 = 1_700_086_400L;
    public static final String LONG_PATH = "deep/" + "d".repeat(60) + "/" + "f".repeat(60) + ".txt";
    public static final String NON_ASCII = "docs/ünïcödé 文件.txt";

    private Fixtures() {
    }

    /** Creates {@code <projectRoot>/<name>.git} with tags v1.0.0 (annotated), v1.1.0, v2.0.0-rc.1, tree-tag, release/2. */
    public static UpstreamRepo richRepo(Path projectRoot, String name, Path scratch) {
        UpstreamRepo repo = UpstreamRepo.create(projectRoot, name, scratch);
        repo.write("build.zig", "const std = @import(\"std\");\npub fn build(b: *std.Build) void { _ = b; }\n")
                .write("build.zig.zon", ".{ .name = \"" + name + "\", .version = \"1.0.0\", .paths = .{\"\"} }\n")
                .write("src/main.zig", "pub fn answer() u32 { return 42; }\n")
                .write("src/nested/deeper/data.txt", "nested\n")
                .write("src/foo-bar", "sorts before foo/\n")
                .write("src/foo/inner.zig", "// inside foo\n")
                .write("src/foo0", "sorts after foo/\n")
                .write(LONG_PATH, "a path longer than one hundred bytes\n")
                .write(NON_ASCII, "ünïcödé\n")
                .write("crlf.txt", "line one\r\nline two\r\n")
                .executable("tools/run.sh", "#!/bin/sh\necho run\n")
                .symlink("link-to-build", "build.zig")
                .symlink("src/up-link", "../crlf.txt");
        String first = repo.commit("first release", T1);
        repo.annotatedTag("v1.0.0", first, "release 1.0.0");
        repo.write("src/main.zig", "pub fn answer() u32 { return 43; }\n");
        String second = repo.commit("second release", T2);
        repo.lightweightTag("v1.1.0", second);
        repo.lightweightTag("v2.0.0-rc.1", second);
        repo.lightweightTag("tree-tag", second + "^{tree}");
        repo.lightweightTag("release/2", second);
        repo.publish();
        return repo;
    }

    /**
     * {@code <projectRoot>/<name>.git} with {@code tags} releases {@code v1.<i>.0}, each adding a 400 KB random
     * blob (fixed seed): an ingest long enough to be killed in the middle of.
     */
    public static UpstreamRepo heavyRepo(Path projectRoot, String name, Path scratch, int tags) {
        UpstreamRepo repo = UpstreamRepo.create(projectRoot, name, scratch);
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < tags; i++) {
            byte[] blob = new byte[400_000];
            random.nextBytes(blob);
            repo.write("data/blob-" + i + ".bin", blob).write("build.zig.zon", ".{ .version = \"1." + i + ".0\" }\n");
            repo.lightweightTag("v1." + i + ".0", repo.commit("release " + i, 1_700_000_000L + i));
        }
        repo.publish();
        return repo;
    }
}
